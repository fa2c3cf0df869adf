// Keras's GlobalAveragePooling1D averages only the timesteps a mask keeps.
tinyrnn::model! {
    struct Bag;
    input [12];
    embedding(100, 8, mask_zero = true);
    global_average_pooling1d();
    dense(1, activation = sigmoid);
}

// A convolution drops the mask (as Keras's Conv1D does): this one compiles.
tinyrnn::model! {
    struct Convolved;
    input [12];
    embedding(100, 8, mask_zero = true);
    conv1d(4, 3, padding = same);
    global_average_pooling1d();
    dense(1, activation = sigmoid);
}

fn main() {}
