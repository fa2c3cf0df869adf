tinyrnn::model! {
    input [50, 3];
    SimpleRNN(2);
    Dense(1);
}

fn main() {}
