package main

import "fmt"

// Fixture with emoji 😀 and café before matches.
func main() {
	label := "😀 café"; fmt.Println(label, "𝔘")
	fmt.Println("hello", 1, 2)
	if err := run(); err != nil {
		fmt.Println(err)
		return
	}
	var unused = compute(1)
	_ = unused
}

func run() error {
	return nil
}

func report() {
	fmt.Println(
		"tabs",
		"😀",
	)
}
