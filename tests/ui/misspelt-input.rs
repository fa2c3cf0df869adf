tinyrnn::model! {
    inptu [50, 3];
    simple_rnn(2);
    dense(1);
}

fn main() {}
