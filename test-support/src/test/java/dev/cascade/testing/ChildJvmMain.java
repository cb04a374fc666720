package dev.cascade.testing;

/**
 * The main class that {@link ChildJvmTest} starts: prints a line, then waits to be killed (60 s at
 * most).
 */
public final class ChildJvmMain {

  private ChildJvmMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println(
        "child ready: greeting="
            + System.getProperty("greeting")
            + " args="
            + String.join(",", args));
    if (args.length > 0 && args[0].equals("exit")) {
      System.exit(Integer.parseInt(args[1]));
    }
    Thread.sleep(60_000);
  }
}
