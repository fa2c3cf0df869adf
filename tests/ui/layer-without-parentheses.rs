tinyrnn::model! {
    input [50, 3];
    simple_rnn(2);
    dense;
}

fn main() {}
