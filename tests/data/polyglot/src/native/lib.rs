pub fn parse(text: &str) -> i32 {
    let value = text.parse::<i32>().unwrap();
    let other = text.parse::<i32>().unwrap_or(0);
    value + other
}
