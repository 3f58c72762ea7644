// Fixture with emoji 😀 and café before matches.
fn main() {
    let label = "😀 café"; let value = parse(label).unwrap();
    let other = compute(1, 2).unwrap();
    println!("{} {}", value, other);
    let maybe: Option<i32> = None;
    if maybe.is_none() {
        return;
    }
}

fn compute(a: i32, b: i32) -> Result<i32, String> {
    Ok(a + b)
}
