package main

import "fmt"

func main() {
	fmt.Println("hello")
	fmt.Printf("%d\n", 1)
}
