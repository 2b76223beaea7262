package io.warmer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real browser for tests of the status page: Debian's {@code chromium}, headless, driven through the system's
 * {@code chromedriver} by Selenium. Both are named explicitly, so Selenium Manager never tries to download a driver
 * or a browser (the test machines reach no such site). Without them the test fails saying what to install.
 *
 * <p>Override the paths with {@code -Dwarmer.it.chromium=…} and {@code -Dwarmer.it.chromedriver=…}.
 */
public final class HeadlessChromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("warmer.it.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("warmer.it.chromedriver", "/usr/bin/chromedriver"));
    static final String INSTALL = "install chromium and chromium-driver (apt-get install -y chromium chromium-driver)";

    /** Wide enough for the page's desktop layout; screenshots grow taller to hold the whole page. */
    private static final Dimension WINDOW = new Dimension(1280, 900);
    /** A taller page is cut there: a screenshot is for people, not a scroll. */
    private static final int MAX_SCREENSHOT_HEIGHT = 4000;

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts a browser with a fresh profile; close it. */
    public static HeadlessChromium start() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM + " (the browser)");
        }
        if (!Files.isExecutable(CHROMEDRIVER)) {
            missing.add(CHROMEDRIVER + " (its WebDriver)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The status page tests need a headless Chromium, but " + String.join(" and ",
                    missing) + " is missing: " + INSTALL + ", or point -Dwarmer.it.chromium / -Dwarmer.it.chromedriver"
                    + " at other copies.");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=" + WINDOW.width + "," + WINDOW.height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        try {
            return new HeadlessChromium(new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            service.stop();
            throw new IllegalStateException("Could not start " + CHROMIUM + " through " + CHROMEDRIVER + ": "
                    + e.getMessage() + "\nIf either is missing or broken: " + INSTALL
                    + " (the two must be the same version).", e);
        }
    }

    /** Loads the page and returns once its document is loaded (its scripts may still be fetching). */
    public void open(URI address) {
        driver.get(address.toString());
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Runs a script in the page: its {@code arguments} are {@code args}, its {@code return} value the result. */
    @SuppressWarnings("unchecked")
    public <T> T script(String script, Object... args) {
        return (T) ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Writes a PNG of the whole page, up to {@link #MAX_SCREENSHOT_HEIGHT} pixels tall, to each of the files. */
    public void screenshot(Path... files) {
        // The window's size includes the browser's own frame, even headless: add it to the page's height.
        Number page = script("return document.documentElement.scrollHeight");
        Number frame = script("return window.outerHeight - window.innerHeight");
        int height = Math.min(MAX_SCREENSHOT_HEIGHT, page.intValue()) + frame.intValue();
        driver.manage().window().setSize(new Dimension(WINDOW.width, Math.max(WINDOW.height, height)));
        try {
            byte[] png = driver.getScreenshotAs(OutputType.BYTES);
            for (Path file : files) {
                Path parent = file.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.write(file, png);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the screenshot: " + e.getMessage(), e);
        } finally {
            driver.manage().window().setSize(WINDOW);
        }
    }

    /** What the page logged at SEVERE level since the last call: its script errors and failed requests. */
    public List<String> severeConsoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
