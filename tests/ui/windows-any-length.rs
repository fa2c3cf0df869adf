// On `input [_, F]` a window slides timestep by timestep in `forward`, except `same` padding
// with strides (its padding depends on the sequence's length); `step` returns an output when
// a window completes, except after `same` padding (whose last windows need the sequence's
// end).
tinyrnn::model! {
    struct SameStrided;
    input [_, 2];
    conv1d(4, 3, padding = same, strides = 2);
    lstm(2);
}

tinyrnn::model! {
    struct Pooled;
    input [_, 2];
    conv1d(4, 3, padding = same);
    max_pooling1d(2);
    lstm(2);
}

fn main() {
    let net = Pooled::ZERO;
    let mut state = PooledState::new();
    let _ = net.step(&mut state, &[0.0, 0.0]);
}
