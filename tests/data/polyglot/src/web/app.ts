export function load(data: any): string {
  const ok: unknown = data;
  return String(ok);
}
