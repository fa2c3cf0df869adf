tinyrnn::model! {
    input [50, 3];
    lstm(4);
    spatial_dropout1d(0.2);
    dense(1);
}

fn main() {}
