// Cropping that leaves no timestep, a wrong `padding`, resampling a vector or a sequence of
// any length, and `step` on a model that pads.
tinyrnn::model! {
    struct Empty;
    input [4, 2];
    cropping1d([1, 3]);
    lstm(2);
}

tinyrnn::model! {
    struct WrongPadding;
    input [4, 2];
    zero_padding1d(padding = same);
    up_sampling1d(size = 0);
    lstm(2);
}

tinyrnn::model! {
    struct OnAVector;
    input [4, 2];
    lstm(2);
    up_sampling1d(2);
}

tinyrnn::model! {
    struct AnyLength;
    input [_, 2];
    zero_padding1d(1);
    lstm(2);
}

tinyrnn::model! {
    struct Padded;
    input [4, 2];
    zero_padding1d(1);
    lstm(2);
}

fn main() {
    let net = Padded::ZERO;
    let mut state = PaddedState::new();
    let _ = net.step(&mut state, &[0.0, 0.0]);
}
