tinyrnn::model! {
    input [4, 3];
    conv1d(8, 5);
    lstm(2);
}

tinyrnn::model! {
    struct Groups;
    input [10, 3];
    conv1d(8, 3, groups = 2);
    lstm(2);
}

// Any length: the windows slide timestep by timestep in `forward`, no error.
tinyrnn::model! {
    struct AnyLength;
    input [_, 3];
    conv1d(8, 3, padding = same);
    max_pooling1d(2);
    lstm(2);
}

tinyrnn::model! {
    struct Mistakes;
    input [10, 3];
    conv1d(8);
    max_pooling1d(2, padding = causal);
    lstm(4);
    global_average_pooling1d();
}

fn main() {}
