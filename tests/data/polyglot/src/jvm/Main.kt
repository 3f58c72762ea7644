fun main() {
    val name = "kotlin"
    println(name)
    print(name)
}
