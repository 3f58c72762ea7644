// Fixture for the ast-grep agreement tests: 😀 emoji and café before matches.
const label = "😀 café"; console.log(label, "𝔘𝔫𝔦");
let count = 1;
var legacy = count + 1;
let other = 2, more = 3;

function greet(name) {
  console.log("hello", name);
  console.log(
    "multi",
    name,
  );
  if (name == null) {
    return;
  }
  debugger;
  return `hi ${name}`;
}

const config = { alpha: 1, beta: 2, gamma: 3 };
const list = [1, 2, 3];
const user_name = fetchUser(user_id, "😀");
setTimeout(() => { console.log("later"); }, 100);
async function load() {
  for (const item of list) {
    await process(item);
  }
}
