// 😀 TypeScript fixture
function parse(input: any, count: number): any {
  const result: any = JSON.parse(input);
  return result;
}
let total: number = 0;
