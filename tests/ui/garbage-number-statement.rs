tinyrnn::model! { input [50, 3]; 42; dense(1) }

fn main() {}
