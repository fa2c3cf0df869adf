//! `model.summary()` as Keras 3 prints it, followed by the weight breakdown that answers
//! "which weights exist, and why this many?".
//!
//! Everything is `'static` data assembled by `model!` from the layers' associated consts, and
//! [`Summary`]'s `Display` writes straight to the formatter, so it works without an allocator.

use core::fmt::{self, Write as _};

/// One weight array: its Keras name and shape.
///
/// ```
/// use tinyrnn_runtime::WeightSpec;
///
/// let w = WeightSpec::new("bias", &[2]);
/// assert_eq!(w.len(), 2);
/// assert_eq!(w.to_string(), "bias (2,)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightSpec {
    /// The Keras variable name (`kernel`, `recurrent_kernel`, `bias`).
    pub name: &'static str,
    /// The Keras shape, e.g. `[3, 2]` for a kernel on 3 inputs with 2 units.
    pub shape: &'static [usize],
}

impl WeightSpec {
    /// A weight array named `name` of shape `shape`.
    #[must_use]
    pub const fn new(name: &'static str, shape: &'static [usize]) -> Self {
        Self { name, shape }
    }

    /// The number of values in the array.
    #[must_use]
    pub const fn len(&self) -> usize {
        let mut n = 1;
        let mut i = 0;
        while i < self.shape.len() {
            n *= self.shape[i];
            i += 1;
        }
        n
    }

    /// Whether the array holds no values.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for WeightSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.name)?;
        write_tuple(f, None, self.shape)
    }
}

/// A layer's output shape, printed as Keras does with the batch dimension `None`.
///
/// ```
/// use tinyrnn_runtime::OutputShape;
///
/// assert_eq!(OutputShape::Vector { units: 2 }.to_string(), "(None, 2)");
/// let seq = OutputShape::Sequence { timesteps: Some(50), units: 2 };
/// assert_eq!(seq.to_string(), "(None, 50, 2)");
/// let any = OutputShape::Sequence { timesteps: None, units: 2 };
/// assert_eq!(any.to_string(), "(None, None, 2)");
/// assert_eq!(OutputShape::Tokens { timesteps: Some(12) }.to_string(), "(None, 12)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputShape {
    /// One token id per timestep: the input of a model whose first layer is `Embedding`,
    /// as its `InputLayer` row shows it.
    Tokens {
        /// The number of timesteps, `None` when the model takes any length.
        timesteps: Option<usize>,
    },
    /// One vector per sequence (`return_sequences=False`, or a layer after one).
    Vector {
        /// The vector's length.
        units: usize,
    },
    /// One vector per timestep.
    Sequence {
        /// The number of timesteps, `None` when the model takes any length.
        timesteps: Option<usize>,
        /// Each vector's length.
        units: usize,
    },
}

impl fmt::Display for OutputShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            OutputShape::Vector { units } => write!(f, "(None, {units})"),
            OutputShape::Tokens { timesteps: Some(t) } => write!(f, "(None, {t})"),
            OutputShape::Tokens { timesteps: None } => f.write_str("(None, None)"),
            OutputShape::Sequence {
                timesteps: Some(t),
                units,
            } => write!(f, "(None, {t}, {units})"),
            OutputShape::Sequence {
                timesteps: None,
                units,
            } => write!(f, "(None, None, {units})"),
        }
    }
}

/// One row of the summary: a layer, its output shape, its weights and why it has that many.
///
/// ```
/// use tinyrnn_runtime::{LayerSummary, OutputShape, WeightSpec};
///
/// const WEIGHTS: &[WeightSpec] = &[
///     WeightSpec::new("kernel", &[3, 2]),
///     WeightSpec::new("recurrent_kernel", &[2, 2]),
///     WeightSpec::new("bias", &[2]),
/// ];
/// let row = LayerSummary {
///     name: "simple_rnn",
///     kind: "SimpleRNN",
///     output: OutputShape::Vector { units: 2 },
///     params: 12,
///     non_trainable: 0,
///     non_trainable_bytes: 0,
///     weights: WEIGHTS,
///     copies: 1,
///     formula: "h*(d+h)+h",
///     symbols: &[("d", 3), ("h", 2)],
///     options: &[("units", "2"), ("activation", "tanh")],
/// };
/// let mut line = String::new();
/// row.write_breakdown(&mut line)?;
/// assert_eq!(
///     line,
///     "simple_rnn: kernel (3, 2) + recurrent_kernel (2, 2) + bias (2,) = 12 = h*(d+h)+h, d=3, h=2"
/// );
/// # Ok::<(), core::fmt::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerSummary {
    /// The Keras-style layer name (`simple_rnn`, `simple_rnn_1`, `dense`).
    pub name: &'static str,
    /// The Keras class name (`SimpleRNN`).
    pub kind: &'static str,
    /// The layer's output shape.
    pub output: OutputShape,
    /// The layer's parameter count.
    pub params: usize,
    /// How many of `params` Keras does not train (`BatchNormalization`'s moving
    /// statistics); 0 for most layers.
    pub non_trainable: usize,
    /// The bytes Keras counts for the non-trainable weights: 4 each, but 8 for the int64
    /// `count` of `Normalization`. (Trainable weights are `f32`, 4 bytes each.)
    pub non_trainable_bytes: usize,
    /// The weight arrays, in Keras `get_weights()` order (of one copy; see `copies`).
    pub weights: &'static [WeightSpec],
    /// How many times `weights` repeats: 2 for `Bidirectional` (forward, then backward).
    pub copies: usize,
    /// The parameter formula (`h*(d+h)+h`).
    pub formula: &'static str,
    /// The values of the formula's symbols (`[("d", 3), ("h", 2)]`).
    pub symbols: &'static [(&'static str, usize)],
    /// The layer's options as Keras's config writes them (`("activation", "tanh")`,
    /// `("return_sequences", "false")`, ...), which weight-file loaders compare with the
    /// file's config. For `Bidirectional`, `merge_mode` and then the wrapped layer's.
    pub options: &'static [(&'static str, &'static str)],
}

impl LayerSummary {
    /// Writes the breakdown line, e.g.
    /// `simple_rnn: kernel (3, 2) + recurrent_kernel (2, 2) + bias (2,) = 12 = h*(d+h)+h, d=3, h=2`.
    ///
    /// # Errors
    /// Only those of the formatter.
    pub fn write_breakdown(&self, f: &mut impl fmt::Write) -> fmt::Result {
        write!(f, "{}: ", self.name)?;
        if self.weights.is_empty() {
            return f.write_str("no weights");
        }
        if self.copies > 1 {
            write!(f, "{} copies (forward, backward) of ", self.copies)?;
        }
        for (i, w) in self.weights.iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            write!(f, "{w}")?;
        }
        if self.copies > 1 {
            write!(f, " = {} = {}*({})", self.params, self.copies, self.formula)?;
        } else {
            write!(f, " = {} = {}", self.params, self.formula)?;
        }
        for (symbol, value) in self.symbols {
            write!(f, ", {symbol}={value}")?;
        }
        Ok(())
    }
}

/// The summary of a model, from `Net::summary()`: `Display` prints the Keras 3 table and then
/// each weight array with its Keras name and shape, and the parameter formula with numbers.
///
/// ```
/// use tinyrnn_runtime::{LayerSummary, OutputShape, Summary, WeightSpec};
///
/// static LAYERS: [LayerSummary; 1] = [LayerSummary {
///     name: "dense",
///     kind: "Dense",
///     output: OutputShape::Vector { units: 1 },
///     params: 3,
///     non_trainable: 0,
///     non_trainable_bytes: 0,
///     weights: &[WeightSpec::new("kernel", &[2, 1]), WeightSpec::new("bias", &[1])],
///     copies: 1,
///     formula: "d*u+u",
///     symbols: &[("d", 2), ("u", 1)],
///     options: &[("units", "1"), ("activation", "linear"), ("use_bias", "true")],
/// }];
/// let summary = Summary { name: "Net", layers: &LAYERS, optimizer: None, connections: None };
/// assert_eq!(summary.total_params(), 3);
/// let text = summary.to_string();
/// assert!(text.contains("│ dense (Dense)                        │ (None, 1)                   │               3 │"));
/// assert!(text.contains(" Total params: 3 (12.00 B)"));
/// assert!(text.contains("dense: kernel (2, 1) + bias (1,) = 3 = d*u+u, d=2, u=1"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The model's name (the struct's name).
    pub name: &'static str,
    /// One entry per layer, in order.
    pub layers: &'static [LayerSummary],
    /// The optimizer's state that a file saved after training holds (`None` for a model
    /// declared in Rust): Keras's summary counts it in a line of its own and in the total.
    pub optimizer: Option<OptimizerParams>,
    /// What each row is connected to (`embedding[0][0], not_equal[0][0]`, `-` for the
    /// input), for a Functional model that Keras does not draw as a chain (its masks are
    /// operations of their own): Keras's table then has a fourth column, "Connected to".
    /// `None` for the three-column table.
    pub connections: Option<&'static [&'static str]>,
}

/// The variables of a Keras optimizer saved with a model (its step count, learning rate
/// and moments), as `model.summary()` counts them: "Optimizer params".
///
/// ```
/// use tinyrnn_runtime::{OptimizerParams, Summary};
///
/// let optimizer = Some(OptimizerParams { params: 2, bytes: 12 });
/// let summary = Summary { name: "Net", layers: &[], optimizer, connections: None };
/// assert!(summary.to_string().contains(" Optimizer params: 2 (12.00 B)"));
/// assert!(summary.to_string().contains(" Total params: 2 (12.00 B)"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptimizerParams {
    /// How many values (an int64 step counter counts one).
    pub params: usize,
    /// Their bytes, by each variable's dtype.
    pub bytes: usize,
}

/// Widths of Keras 3's three columns at its default 88-character line, padding included.
const COLUMNS: [usize; 3] = [38, 29, 17];

/// Widths of the four columns of a Functional model's table ("Connected to"), at Keras 3's
/// 108-character line.
const WIDE_COLUMNS: [usize; 4] = [31, 27, 17, 28];

impl Summary {
    /// The model's parameter count, Keras's `count_params()`.
    #[must_use]
    pub fn total_params(&self) -> usize {
        self.layers.iter().map(|l| l.params).sum()
    }

    /// How many of the parameters Keras does not train (its "Non-trainable params").
    #[must_use]
    pub fn non_trainable_params(&self) -> usize {
        self.layers.iter().map(|l| l.non_trainable).sum()
    }

    /// The bytes Keras's summary counts for the weights: 4 per `f32`, 8 per int64
    /// (`Normalization`'s `count`).
    #[must_use]
    pub fn total_bytes(&self) -> usize {
        self.trainable_bytes() + self.non_trainable_bytes()
    }

    fn trainable_bytes(&self) -> usize {
        (self.total_params() - self.non_trainable_params()) * core::mem::size_of::<f32>()
    }

    fn non_trainable_bytes(&self) -> usize {
        self.layers.iter().map(|l| l.non_trainable_bytes).sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Model: \"{}\"", self.name)?;
        let columns: &[usize] = match self.connections {
            Some(_) => &WIDE_COLUMNS,
            None => &COLUMNS,
        };
        let header = ["Layer (type)", "Output Shape", "Param #", "Connected to"];
        rule(f, columns, ['┏', '━', '┳', '┓'])?;
        row(f, columns, "┃", &header[..columns.len()])?;
        rule(f, columns, ['┡', '━', '╇', '┩'])?;
        for (i, layer) in self.layers.iter().enumerate() {
            if i > 0 {
                rule(f, columns, ['├', '─', '┼', '┤'])?;
            }
            let mut name = Cell::new();
            write!(name, "{} ({})", layer.name, layer.kind)?;
            let mut shape = Cell::new();
            write!(shape, "{}", layer.output)?;
            let mut params = Cell::new();
            write_thousands(&mut params, layer.params)?;
            let connected = self
                .connections
                .and_then(|c| c.get(i).copied())
                .unwrap_or("-");
            let cells = [name.as_str(), shape.as_str(), params.as_str(), connected];
            row(f, columns, "│", &cells[..columns.len()])?;
        }
        rule(f, columns, ['└', '─', '┴', '┘'])?;
        let (total, frozen) = (self.total_params(), self.non_trainable_params());
        let optimizer = self.optimizer.unwrap_or(OptimizerParams {
            params: 0,
            bytes: 0,
        });
        let lines = [
            (
                "Total",
                total + optimizer.params,
                self.total_bytes() + optimizer.bytes,
            ),
            ("Trainable", total - frozen, self.trainable_bytes()),
            ("Non-trainable", frozen, self.non_trainable_bytes()),
            ("Optimizer", optimizer.params, optimizer.bytes),
        ];
        let shown = if self.optimizer.is_some() { 4 } else { 3 };
        for (label, count, bytes) in lines.into_iter().take(shown) {
            write!(f, " {label} params: ")?;
            write_thousands(f, count)?;
            f.write_str(" (")?;
            write_memory_size(f, bytes)?;
            f.write_str(")\n")?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Weights, in Keras get_weights() order (each array row-major):"
        )?;
        for layer in self.layers {
            f.write_str(" ")?;
            layer.write_breakdown(f)?;
            writeln!(f)?;
        }
        Ok(())
    }
}

/// A horizontal border: left corner, fill, junction, right corner.
fn rule(
    f: &mut fmt::Formatter<'_>,
    columns: &[usize],
    [left, fill, junction, right]: [char; 4],
) -> fmt::Result {
    f.write_char(left)?;
    for (i, width) in columns.iter().enumerate() {
        if i > 0 {
            f.write_char(junction)?;
        }
        for _ in 0..*width {
            f.write_char(fill)?;
        }
    }
    f.write_char(right)?;
    f.write_char('\n')
}

/// One table row; the third column is right-aligned, as Keras aligns counts. A cell too
/// long for its column wraps onto more lines, as Keras's table (drawn by rich) wraps it.
fn row(f: &mut fmt::Formatter<'_>, columns: &[usize], bar: &str, cells: &[&str]) -> fmt::Result {
    let mut rest = [""; 4];
    rest[..cells.len()].copy_from_slice(cells);
    let rest = &mut rest[..cells.len()];
    loop {
        f.write_str(bar)?;
        for (i, (cell, &width)) in rest.iter_mut().zip(columns).enumerate() {
            let inner = width - 2;
            let (line, cut) = next_line(cell, inner);
            if cut {
                write!(f, " {line}\u{2026} ")?;
            } else if i == 2 {
                write!(f, " {line:>inner$} ")?;
            } else {
                write!(f, " {line:<inner$} ")?;
            }
            f.write_str(bar)?;
        }
        f.write_char('\n')?;
        if rest.iter().all(|cell| cell.trim().is_empty()) {
            return Ok(());
        }
    }
}

/// Takes the next line of at most `width` characters off `text`: whole words while they
/// fit (`spatial_dropout1d_1 (SpatialDropout1D)` in a 36-wide column is two lines), and a
/// word longer than a line on a line of its own, cut to `width - 1` characters and an
/// ellipsis, the rest of it dropped, as rich (which draws Keras's table) cuts a word that
/// does not fit (`global_average_pooling1d_2[0][0]` in the 26 characters of "Connected
/// to" is `global_average_pooling1d_…`). The flag says the ellipsis is due.
fn next_line<'a>(text: &mut &'a str, width: usize) -> (&'a str, bool) {
    let s = text.trim_start_matches(' ');
    if s.chars().count() <= width {
        *text = "";
        return (s, false);
    }
    // The last space that ends a line of at most `width` characters.
    let mut cut = None;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if n > width {
            break;
        }
        if c == ' ' {
            cut = Some(i);
        }
    }
    if let Some(i) = cut.filter(|&i| i > 0) {
        *text = &s[i..];
        return (s[..i].trim_end_matches(' '), false);
    }
    // The first word is longer than a line.
    let word_end = s.find(' ').unwrap_or(s.len());
    let kept = s
        .char_indices()
        .nth(width.saturating_sub(1))
        .map_or(word_end, |(i, _)| i.min(word_end));
    *text = &s[word_end..];
    (&s[..kept], true)
}

/// Writes `n` with thousands separators, as Keras prints counts (`40,800`).
fn write_thousands(f: &mut impl fmt::Write, n: usize) -> fmt::Result {
    if n < 1000 {
        return write!(f, "{n}");
    }
    write_thousands(f, n / 1000)?;
    write!(f, ",{:03}", n % 1000)
}

/// Keras's `readable_memory_size`: two decimals and the largest unit below 1024.
fn write_memory_size(f: &mut impl fmt::Write, bytes: usize) -> fmt::Result {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut size = bytes as f64;
    for unit in &UNITS[..UNITS.len() - 1] {
        if size / 1024.0 < 1.0 {
            return write!(f, "{size:.2} {unit}");
        }
        size /= 1024.0;
    }
    write!(f, "{size:.2} {}", UNITS[UNITS.len() - 1])
}

/// Writes a shape as a Python tuple: `(3, 2)`, `(2,)`, or with a leading `None`.
fn write_tuple(f: &mut impl fmt::Write, first: Option<&str>, dims: &[usize]) -> fmt::Result {
    f.write_char('(')?;
    if let Some(first) = first {
        write!(f, "{first}, ")?;
    }
    for (i, d) in dims.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{d}")?;
    }
    if dims.len() == 1 && first.is_none() {
        f.write_char(',')?;
    }
    f.write_char(')')
}

/// A small stack buffer for one table cell, so that padding counts characters without an
/// allocator. Text past its capacity is cut, which only a 100-character layer name reaches.
struct Cell {
    buf: [u8; 96],
    len: usize,
}

impl Cell {
    fn new() -> Self {
        Self {
            buf: [0; 96],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `str`s are ever copied in, so the prefix is valid UTF-8.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for Cell {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(s.as_bytes());
            self.len = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Text {
        buf: [u8; 64],
        len: usize,
    }

    impl fmt::Write for Text {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
            Ok(())
        }
    }

    fn render(write: impl Fn(&mut Text) -> fmt::Result) -> Text {
        let mut t = Text {
            buf: [0; 64],
            len: 0,
        };
        write(&mut t).unwrap();
        t
    }

    fn text(t: &Text) -> &str {
        core::str::from_utf8(&t.buf[..t.len]).unwrap()
    }

    #[test]
    fn thousands_separators_match_keras() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (40_800, "40,800"),
            (1_234_567, "1,234,567"),
        ] {
            let t = render(|t| write_thousands(t, n));
            assert_eq!(text(&t), want, "n = {n}");
        }
    }

    #[test]
    fn memory_sizes_match_keras_readable_memory_size() {
        // Keras: 25 params -> "100.00 B", 241,800 params -> "944.53 KB".
        for (bytes, want) in [
            (0, "0.00 B"),
            (100, "100.00 B"),
            (967_200, "944.53 KB"),
            (1024, "1.00 KB"),
        ] {
            let t = render(|t| write_memory_size(t, bytes));
            assert_eq!(text(&t), want, "bytes = {bytes}");
        }
    }

    #[test]
    fn one_dimensional_shapes_print_as_python_tuples() {
        let t = render(|t| write_tuple(t, None, &[2]));
        assert_eq!(text(&t), "(2,)");
    }

    #[test]
    fn long_cells_wrap_at_words_and_long_words_are_cut() {
        let mut cell = "spatial_dropout1d_1 (SpatialDropout1D)";
        assert_eq!(next_line(&mut cell, 36), ("spatial_dropout1d_1", false));
        assert_eq!(next_line(&mut cell, 36), ("(SpatialDropout1D)", false));
        assert_eq!(cell, "");
        // A word longer than the line: cut, with an ellipsis, and the rest dropped (Keras's
        // "Connected to" column, tests/fixtures/keras-examples/masked_global_average.json).
        let mut cell = "global_average_pooling1d_2[0][0]";
        assert_eq!(
            next_line(&mut cell, 26),
            ("global_average_pooling1d_", true)
        );
        assert_eq!(cell, "");
        let mut cell = "abcdefgh ij";
        assert_eq!(next_line(&mut cell, 4), ("abc", true));
        assert_eq!(next_line(&mut cell, 4), ("ij", false));
        let mut cell = "ab cd";
        assert_eq!(next_line(&mut cell, 2), ("ab", false));
        assert_eq!(next_line(&mut cell, 2), ("cd", false));
    }
}
