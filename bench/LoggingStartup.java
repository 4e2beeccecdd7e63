import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logging's start in a fresh JVM: from before the first LoggerFactory.getLogger to after one line is written,
 * which is what the first log line of a cold start waits for. Prints the milliseconds to standard error (the line
 * itself goes to standard output). Run by bench/logging-startup.sh.
 */
public class LoggingStartup {
    public static void main(String[] args) {
        long start = System.nanoTime();
        Logger log = LoggerFactory.getLogger(LoggingStartup.class);
        log.info("first line after {} ms of start-up", "a few");
        long written = System.nanoTime();
        System.err.printf("%.1f%n", (written - start) / 1e6);
    }
}
