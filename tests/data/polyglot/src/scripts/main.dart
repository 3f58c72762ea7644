void main() {
  print('hello');
}
