//! The convolution models that `benches/conv.rs` and the RTNeural side-by-side
//! (`src/bin/conv_peer.rs`) both measure, declared once.

macro_rules! stacks {
    ($($stack:ident, $convs:ident = $n:literal;)*) => {
        $(
            tinyrnn::model! {
                /// The streaming audio model: three causal convolutions dilated 1, 2, 4,
                /// then a GRU, one sample per `step`.
                pub struct $stack;
                input [_, 1];
                conv1d($n, 3, padding = causal);
                conv1d($n, 3, padding = causal, dilation_rate = 2);
                conv1d($n, 3, padding = causal, dilation_rate = 4);
                gru($n);
            }
            tinyrnn::model! {
                /// The same causal dilated convolutions alone.
                pub struct $convs;
                input [_, 1];
                conv1d($n, 3, padding = causal);
                conv1d($n, 3, padding = causal, dilation_rate = 2);
                conv1d($n, 3, padding = causal, dilation_rate = 4);
            }
        )*
    };
}
stacks! {
    Stack8, Convs8 = 8;
    Stack16, Convs16 = 16;
    Stack32, Convs32 = 32;
}

tinyrnn::model! {
    /// keras.io's FCN classifier ("Timeseries classification from scratch"): three
    /// convolutions with batch normalization and ReLU, global average pooling, softmax.
    pub struct Fcn;
    input [128, 1];
    conv1d(32, 8, padding = same);
    batch_normalization();
    relu();
    conv1d(32, 5, padding = same);
    batch_normalization();
    relu();
    conv1d(32, 3, padding = same);
    batch_normalization();
    relu();
    global_average_pooling1d();
    dense(4, activation = softmax);
}
