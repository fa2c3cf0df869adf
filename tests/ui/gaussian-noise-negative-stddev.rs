tinyrnn::model! {
    input [50, 3];
    gaussian_noise(-1.0);
    lstm(4);
    dense(1);
}

fn main() {}
