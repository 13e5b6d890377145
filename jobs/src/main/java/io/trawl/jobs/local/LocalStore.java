package io.trawl.jobs.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Before a command builds its Spring context: the data folder made private, then, for the embedded H2 file store,
 * either this process becomes the store's holder or the command goes to the process that is.
 */
public final class LocalStore {

	/** Commands that never go to the holder: they hold the store themselves, or do not use it. */
	private static final Set<String> LOCAL_ONLY = Set.of("serve", "aws-local", "test", "help");
	/** Commands that never open the store. */
	private static final Set<String> NO_STORE = Set.of("aws-local", "test", "help");
	/** Long enough for a holder to finish closing its context and release the store. */
	private static final Duration PATIENCE = Duration.ofSeconds(60);
	/** serve waits this long for a one-shot holder to exit, not for a rescan to end. */
	private static final Duration SERVE_PATIENCE = Duration.ofSeconds(5);

	private LocalStore() {
	}

	/**
	 * What to do with a command: {@code listener} set, run it here and answer others; {@code exitCode} set, it ran
	 * elsewhere (or cannot run); neither, run it here alone (a shared database).
	 */
	public record Claim(StoreListener listener, Integer exitCode) {
	}

	public static Claim claim(String[] args, PrintStream out, PrintStream err) {
		Settings settings = Settings.ofThisProcess(args);
		Path dataDir = settings.dataDir();
		try {
			PrivateDataDir.secure(dataDir, err);
		}
		catch (IOException e) {
			err.println("trawl: cannot create or protect the data folder " + dataDir + " (" + e.getMessage()
					+ "); set TRAWL_DATA_DIR to a folder you own");
			return new Claim(null, 2);
		}
		if (settings.autoServer()) {
			err.println("trawl: AUTO_SERVER in the datasource URL opens a TCP port that other local users can reach; "
					+ "remove it (other ./trawl commands reach this one over " + StoreListener.SOCKET + ")");
			return new Claim(null, 2);
		}
		if (!settings.embeddedStore() || NO_STORE.contains(args[0])) {
			return new Claim(null, null);
		}
		boolean mayForward = !LOCAL_ONLY.contains(args[0]);
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		long serveDeadline = System.nanoTime() + SERVE_PATIENCE.toNanos();
		try {
			while (true) {
				StoreListener listener = StoreListener.tryClaim(dataDir);
				if (listener != null) {
					if (!listener.answers()) {
						err.println("trawl: the path " + listener.socket() + " is too long for a Unix socket, so other "
								+ "./trawl commands wait until this one ends; a shorter TRAWL_DATA_DIR avoids that");
					}
					return new Claim(listener, null);
				}
				if (!mayForward && System.nanoTime() > serveDeadline) {
					err.println("trawl: another Trawl process (a rescan or serve) holds the store in " + dataDir
							+ "; stop it first, or share a PostgreSQL database (SPRING_PROFILES_ACTIVE=postgres)");
					return new Claim(null, 2);
				}
				if (!mayForward) {
					Thread.sleep(100); // perhaps a one-shot command that is about to exit
					continue;
				}
				try {
					return new Claim(null, StoreClient.forward(dataDir.resolve(StoreListener.SOCKET), args, out, err));
				}
				catch (StoreClient.NotListening holderStartingOrClosing) {
					if (System.nanoTime() > deadline) {
						err.println("trawl: the process holding the store in " + dataDir + " does not answer on "
								+ StoreListener.SOCKET + " (" + holderStartingOrClosing.getMessage()
								+ "); wait for it to end, then try again");
						return new Claim(null, 2);
					}
					Thread.sleep(100);
				}
			}
		}
		catch (IOException e) {
			err.println("trawl: " + e.getMessage());
			return new Claim(null, 1);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return new Claim(null, 130);
		}
	}

	/**
	 * The command run by the process that holds the embedded store, when one answers on {@code trawl.sock}: its exit
	 * code. Null when none answers (nobody holds the store, or its holder is starting or closing), for a command that
	 * never goes there, and for a store that is not the embedded H2 file: then the command runs as {@link #claim}
	 * decides. Asked by the JVM that the launcher starts to supervise a job command, before it starts a job JVM that
	 * would only pass the command on.
	 * @param properties the job JVM's system properties ({@code -D} options), which may name the data folder
	 * @param environment its environment
	 */
	public static Integer forwardToHolder(String[] args, UnaryOperator<String> properties,
			UnaryOperator<String> environment, PrintStream out, PrintStream err) {
		Settings settings = new Settings(args, properties, environment);
		if (args.length == 0 || LOCAL_ONLY.contains(args[0]) || !settings.embeddedStore() || settings.autoServer()) {
			return null; // claim says why it refuses AUTO_SERVER
		}
		Path socket = settings.dataDir().resolve(StoreListener.SOCKET);
		if (!Files.exists(socket)) {
			return null;
		}
		try {
			return StoreClient.forward(socket, args, out, err);
		}
		catch (StoreClient.NotListening noHolder) {
			return null;
		}
		catch (IOException e) {
			err.println("trawl: " + e.getMessage());
			return 1;
		}
	}

	/** A store that another process has open outside this protocol (an older Trawl, a database tool): one sentence. */
	public static String inUse(Throwable e, String dataDir) {
		for (Throwable cause = e; cause != null; cause = cause.getCause()) {
			if (cause.getMessage() != null && cause.getMessage().contains("Database may be already in use")) {
				return "the store in " + dataDir + " is open in another process that does not answer on "
						+ StoreListener.SOCKET + " (an older Trawl or a database tool); close it and try again";
			}
		}
		return null;
	}

	/** The H2 file under the data folder, unless a datasource URL or the postgres profile points elsewhere. */
	public static boolean embeddedStore(String[] args) {
		return Settings.ofThisProcess(args).embeddedStore();
	}

	/** The settings the store depends on: a command's {@code --name=value}, else its JVM's -D, else its environment. */
	private record Settings(String[] args, UnaryOperator<String> properties, UnaryOperator<String> environment) {

		static Settings ofThisProcess(String[] args) {
			return new Settings(args, System::getProperty, System::getenv);
		}

		/** {@code trawl.data-dir} as application.yml resolves it: --trawl.data-dir=, -D, TRAWL_DATA_DIR, ./data. */
		Path dataDir() {
			return Path.of(get("trawl.data-dir", "TRAWL_DATA_DIR", "./data")).toAbsolutePath().normalize();
		}

		/** A datasource URL with H2's AUTO_SERVER, which would open a TCP port for the store. */
		boolean autoServer() {
			return get("spring.datasource.url", "SPRING_DATASOURCE_URL", "").toUpperCase(Locale.ROOT)
				.contains("AUTO_SERVER=TRUE");
		}

		boolean embeddedStore() {
			String url = get("spring.datasource.url", "SPRING_DATASOURCE_URL", null);
			if (url != null) {
				return url.startsWith("jdbc:h2:file:");
			}
			String profiles = get("spring.profiles.active", "SPRING_PROFILES_ACTIVE", "");
			return !Set.of(profiles.toLowerCase(Locale.ROOT).replace(" ", "").split(",")).contains("postgres");
		}

		String get(String property, String variable, String fallback) {
			for (String arg : args) {
				if (arg.startsWith("--" + property + "=")) {
					return arg.substring(property.length() + 3);
				}
			}
			String value = properties.apply(property);
			if (value == null || value.isBlank()) {
				value = environment.apply(variable);
			}
			return value == null || value.isBlank() ? fallback : value;
		}
	}
}
