//! Hand-written scalar loops: what a user writes without a library. Weights are taken
//! in Keras's `get_weights()` order and transposed once, at load time, into one row per
//! output (`[kernel column; recurrent column]`), so that each output is one contiguous
//! dot product over `[x; h]`. `f32::tanh` and `f32::exp` from std. Rust does not
//! reassociate float sums, so these loops stay scalar: this is the "plain loops"
//! baseline of the issue.

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `rows[g]` = column `g` of a Keras `(d, g_total)` row-major array.
fn transpose_into(rows: &mut [Vec<f32>], keras: &[f32], d: usize) {
    let g_total = rows.len();
    for j in 0..d {
        for (g, row) in rows.iter_mut().enumerate() {
            row.push(keras[j * g_total + g]);
        }
    }
}

/// The rows of `[kernel; recurrent_kernel]` (Keras arrays), one per gate unit.
fn fused_rows(kernel: &[f32], recurrent: &[f32], d: usize, h: usize, g: usize) -> Vec<Vec<f32>> {
    let mut rows = vec![Vec::with_capacity(d + h); g];
    transpose_into(&mut rows, kernel, d);
    transpose_into(&mut rows, recurrent, h);
    rows
}

/// `w . [x; h]`, left to right.
fn dot(w: &[f32], x: &[f32], h: &[f32]) -> f32 {
    let (wx, wh) = w.split_at(x.len());
    let mut s = 0.0;
    for (w, v) in wx.iter().zip(x) {
        s += w * v;
    }
    for (w, v) in wh.iter().zip(h) {
        s += w * v;
    }
    s
}

/// Keras `SimpleRNN(h)` with tanh.
pub struct SimpleRnn {
    rows: Vec<Vec<f32>>,
    bias: Vec<f32>,
    z: Vec<f32>,
    /// The hidden state.
    pub h: Vec<f32>,
}

impl SimpleRnn {
    /// From Keras `get_weights()`: kernel `(d, h)`, recurrent `(h, h)`, bias `(h,)`.
    #[must_use]
    pub fn new(w: &[f32], d: usize, h: usize) -> Self {
        let (kernel, rest) = w.split_at(d * h);
        let (recurrent, bias) = rest.split_at(h * h);
        Self {
            rows: fused_rows(kernel, recurrent, d, h, h),
            bias: bias.to_vec(),
            z: vec![0.0; h],
            h: vec![0.0; h],
        }
    }

    /// One timestep; returns the new hidden state.
    pub fn step(&mut self, x: &[f32]) -> &[f32] {
        for (z, (row, b)) in self.z.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
            *z = (dot(row, x, &self.h) + b).tanh();
        }
        self.h.copy_from_slice(&self.z);
        &self.h
    }
}

/// Keras `LSTM(h)` (tanh, sigmoid), gates i, f, c, o.
pub struct Lstm {
    rows: Vec<Vec<f32>>,
    bias: Vec<f32>,
    z: Vec<f32>,
    /// The hidden state.
    pub h: Vec<f32>,
    /// The cell state.
    pub c: Vec<f32>,
}

impl Lstm {
    /// From Keras `get_weights()`: kernel `(d, 4h)`, recurrent `(h, 4h)`, bias `(4h,)`.
    #[must_use]
    pub fn new(w: &[f32], d: usize, h: usize) -> Self {
        let (kernel, rest) = w.split_at(d * 4 * h);
        let (recurrent, bias) = rest.split_at(h * 4 * h);
        Self {
            rows: fused_rows(kernel, recurrent, d, h, 4 * h),
            bias: bias.to_vec(),
            z: vec![0.0; 4 * h],
            h: vec![0.0; h],
            c: vec![0.0; h],
        }
    }

    /// One timestep; returns the new hidden state.
    pub fn step(&mut self, x: &[f32]) -> &[f32] {
        for (z, (row, b)) in self.z.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
            *z = dot(row, x, &self.h) + b;
        }
        let n = self.h.len();
        for k in 0..n {
            let i = sigmoid(self.z[k]);
            let f = sigmoid(self.z[n + k]);
            let g = self.z[2 * n + k].tanh();
            let o = sigmoid(self.z[3 * n + k]);
            self.c[k] = f * self.c[k] + i * g;
            self.h[k] = o * self.c[k].tanh();
        }
        &self.h
    }
}

/// Keras `GRU(h)` with `reset_after = true` (tanh, sigmoid), gates z, r, h.
pub struct Gru {
    kernel_rows: Vec<Vec<f32>>,
    recurrent_rows: Vec<Vec<f32>>,
    input_bias: Vec<f32>,
    recurrent_bias: Vec<f32>,
    xz: Vec<f32>,
    hz: Vec<f32>,
    /// The hidden state.
    pub h: Vec<f32>,
}

impl Gru {
    /// From Keras `get_weights()`: kernel `(d, 3h)`, recurrent `(h, 3h)`, bias `(2, 3h)`.
    #[must_use]
    pub fn new(w: &[f32], d: usize, h: usize) -> Self {
        let g = 3 * h;
        let (kernel, rest) = w.split_at(d * g);
        let (recurrent, bias) = rest.split_at(h * g);
        let mut kernel_rows = vec![Vec::with_capacity(d); g];
        transpose_into(&mut kernel_rows, kernel, d);
        let mut recurrent_rows = vec![Vec::with_capacity(h); g];
        transpose_into(&mut recurrent_rows, recurrent, h);
        Self {
            kernel_rows,
            recurrent_rows,
            input_bias: bias[..g].to_vec(),
            recurrent_bias: bias[g..].to_vec(),
            xz: vec![0.0; g],
            hz: vec![0.0; g],
            h: vec![0.0; h],
        }
    }

    /// One timestep; returns the new hidden state.
    pub fn step(&mut self, x: &[f32]) -> &[f32] {
        for (z, (row, b)) in self
            .xz
            .iter_mut()
            .zip(self.kernel_rows.iter().zip(&self.input_bias))
        {
            *z = dot(row, x, &[]) + b;
        }
        for (z, (row, b)) in self
            .hz
            .iter_mut()
            .zip(self.recurrent_rows.iter().zip(&self.recurrent_bias))
        {
            *z = dot(row, &self.h, &[]) + b;
        }
        let n = self.h.len();
        for k in 0..n {
            let z = sigmoid(self.xz[k] + self.hz[k]);
            let r = sigmoid(self.xz[n + k] + self.hz[n + k]);
            let c = (self.xz[2 * n + k] + r * self.hz[2 * n + k]).tanh();
            self.h[k] = z * self.h[k] + (1.0 - z) * c;
        }
        &self.h
    }
}

/// Keras `Dense(u)`, linear.
pub struct Dense {
    rows: Vec<Vec<f32>>,
    bias: Vec<f32>,
    /// The last output.
    pub y: Vec<f32>,
}

impl Dense {
    /// From Keras `get_weights()`: kernel `(d, u)`, bias `(u,)`.
    #[must_use]
    pub fn new(w: &[f32], d: usize, u: usize) -> Self {
        let (kernel, bias) = w.split_at(d * u);
        let mut rows = vec![Vec::with_capacity(d); u];
        transpose_into(&mut rows, kernel, d);
        Self {
            rows,
            bias: bias.to_vec(),
            y: vec![0.0; u],
        }
    }

    /// One timestep.
    pub fn step(&mut self, x: &[f32]) -> &[f32] {
        for (y, (row, b)) in self.y.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
            *y = dot(row, x, &[]) + b;
        }
        &self.y
    }
}
