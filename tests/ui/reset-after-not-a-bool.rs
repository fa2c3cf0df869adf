tinyrnn::model! {
    input [50, 3];
    gru(4, reset_after = 1);
    dense(1);
}

fn main() {}
