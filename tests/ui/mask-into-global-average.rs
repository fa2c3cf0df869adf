// Keras's GlobalAveragePooling1D averages the timesteps a mask keeps, which tinyrnn looks up
// from the model's input: the mask must come from the first layer.
tinyrnn::model! {
    struct Bag;
    input [12, 3];
    dense(4);
    masking();
    global_average_pooling1d();
    dense(1, activation = sigmoid);
}

// A mask from the first layer, and one that a convolution drops: both compile.
tinyrnn::model! {
    struct Tokens;
    input [12];
    embedding(100, 8, mask_zero = true);
    global_average_pooling1d();
    dense(1, activation = sigmoid);
}

tinyrnn::model! {
    struct Convolved;
    input [12, 3];
    dense(4);
    masking();
    conv1d(4, 3, padding = same);
    global_average_pooling1d();
    dense(1, activation = sigmoid);
}

fn main() {}
