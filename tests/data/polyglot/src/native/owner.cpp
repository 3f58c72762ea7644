struct Node { int v; };
void drop(Node *n) {
    delete n;
}
