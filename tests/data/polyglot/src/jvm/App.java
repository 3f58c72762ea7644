public class App {
    public static void main(String[] args) {
        System.out.println("hello " + args.length);
        System.err.println("not this one");
    }
}
