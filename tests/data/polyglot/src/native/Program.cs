class Program {
    static void Main() {
        System.Console.Write("x");
        Console.WriteLine("hello");
    }
}
