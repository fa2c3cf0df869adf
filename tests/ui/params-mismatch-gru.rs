tinyrnn::model! {
    input [50, 3];
    gru(4, return_sequences = true);
    gru(2, reset_after = false);
    dense(1);
    params 100;
}

fn main() {}
