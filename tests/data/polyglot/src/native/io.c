#include <stdio.h>

int main(void) {
    char buf[64];
    gets(buf);
    fgets(buf, sizeof buf, stdin);
    return 0;
}
