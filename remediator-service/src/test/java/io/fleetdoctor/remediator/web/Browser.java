package io.fleetdoctor.remediator.web;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real headless Chromium driven through Debian's chromedriver (also used by security.OidcCodeFlowTest).
 * Absent binaries fail the test with the install command, unless {@code -Dfleetdoctor.browser=skip} (or FLEETDOCTOR_BROWSER=skip) is given.
 */
public final class Browser implements AutoCloseable {
    static final String CHROMIUM = System.getProperty("fleetdoctor.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("fleetdoctor.chromedriver", "/usr/bin/chromedriver");

    public final WebDriver driver;
    private final Path profile;

    private Browser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static boolean skipRequested() {
        String v = System.getProperty("fleetdoctor.browser", System.getenv("FLEETDOCTOR_BROWSER"));
        return "skip".equalsIgnoreCase(v);
    }

    /** Why the browser cannot run here, or null. */
    public static String missing() {
        StringBuilder s = new StringBuilder();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            s.append(CHROMIUM).append(" is missing; ");
        }
        if (!Files.isExecutable(Path.of(CHROMEDRIVER))) {
            s.append(CHROMEDRIVER).append(" is missing; ");
        }
        if (s.length() == 0) {
            return null;
        }
        return s + "install them with `apt-get install -y chromium chromium-driver` (.ci/run must do so), point "
                + "-Dfleetdoctor.chromium / -Dfleetdoctor.chromedriver at other binaries, or run with "
                + "-Dfleetdoctor.browser=skip to skip the browser test deliberately";
    }

    /**
     * What each browser test does before a test: skipped on request ({@code -Dfleetdoctor.browser=skip}), failed
     * when Chromium or chromedriver is missing (CI installs them), else a fresh headless Chromium.
     */
    public static Browser startOrSkip(String test) throws IOException {
        if (skipRequested()) {
            org.junit.jupiter.api.Assumptions.abort("browser test skipped on request (-Dfleetdoctor.browser=skip)");
        }
        String missing = missing();
        if (missing != null) {
            org.junit.jupiter.api.Assertions.fail(test + " browser test needs Chromium and chromedriver: " + missing);
        }
        return start();
    }

    public static Browser start() throws IOException {
        Path profile = Files.createTempDirectory("fleetdoctor-chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        WebDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return new Browser(d, profile);
    }

    public void open(String url) {
        driver.get(url);
    }

    void login(String user, String password) {
        WebElement u = driver.findElement(By.id("login-user"));
        u.clear();
        u.sendKeys(user);
        WebElement p = driver.findElement(By.id("login-password"));
        p.clear();
        p.sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The text of the first element matching {@code css}, or null when there is none (or it went stale). */
    public String text(String css) {
        try {
            List<WebElement> l = all(css);
            return l.isEmpty() ? null : l.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null;
        }
    }

    public boolean visible(String css) {
        try {
            List<WebElement> l = all(css);
            return !l.isEmpty() && l.get(0).isDisplayed();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return false;
        }
    }

    /** Saves a PNG of the page when -Dfleetdoctor.screenshots=DIR is given (for looking at the page, not asserting). */
    public void screenshot(String name) {
        String dir = System.getProperty("fleetdoctor.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        try {
            Files.createDirectories(Path.of(dir));
            byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
            Files.write(Path.of(dir, name + ".png"), png);
        } catch (IOException | RuntimeException e) {
            // a missing screenshot never fails a test
        }
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object asyncJs(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temp profile is harmless
            }
        }
    }
}
