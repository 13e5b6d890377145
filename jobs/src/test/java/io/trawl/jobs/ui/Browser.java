package io.trawl.jobs.ui;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through /usr/bin/chromedriver (Selenium Manager cannot download drivers
 * here), at 1280x800, downloading into a folder of the test's.
 */
final class Browser implements AutoCloseable {

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	final ChromeDriver driver;
	final Path downloads;
	private final String base;

	Browser(String base, Path downloads, int width, int height) {
		this.base = base;
		this.downloads = downloads;
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
				"--window-size=" + width + "," + height, "--lang=en");
		options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
				"download.prompt_for_download", false, "safebrowsing.enabled", false));
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File("/usr/bin/chromedriver"))
			.usingAnyFreePort()
			.build();
		driver = new ChromeDriver(service, options);
	}

	Browser(String base, Path downloads) {
		this(base, downloads, 1280, 800);
	}

	void open(String path) {
		driver.get(base + path);
	}

	/** Logs in through the form with an API key, and lands on the jobs page. */
	void logIn(String key) {
		open("/ui/jobs");
		until(d -> d.getCurrentUrl().endsWith("/login"));
		driver.findElement(By.id("apiKey")).sendKeys(key);
		clickAndLoad(driver.findElement(By.cssSelector("form button[type=submit]")));
		until(d -> d.getCurrentUrl().endsWith("/ui/jobs"));
	}

	/** Waits up to 30 s; an element that htmx replaced meanwhile is looked up again. */
	<T> T until(java.util.function.Function<WebDriver, T> condition) {
		return new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
			.until(condition::apply);
	}

	<T> T until(java.util.function.Function<WebDriver, T> condition, java.util.function.Supplier<String> message) {
		return new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
			.withMessage(message)
			.until(condition::apply);
	}

	/** Clicks a link or button that loads another page, and waits until that page has loaded. */
	void clickAndLoad(WebElement element) {
		WebElement before = driver.findElement(By.tagName("html"));
		element.click();
		until(ExpectedConditions.stalenessOf(before)::apply);
		until(d -> "complete".equals(driver.executeScript("return document.readyState;")));
	}

	/** Saves what the browser shows under target/screenshots/NAME.png. */
	Path screenshot(String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
		Path target = SCREENSHOTS.resolve(name + ".png");
		Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
		return target;
	}

	@Override
	public void close() {
		driver.quit();
	}
}
