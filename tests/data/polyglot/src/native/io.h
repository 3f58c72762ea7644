static inline void read_line(char *buf) { gets(buf); }
