package io.trawl.jobs.local;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Phaser;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The process that holds the embedded store ({@code data/trawl.mv.db}, which H2 lets one process open) runs other
 * {@code ./trawl} commands for them over {@code data/trawl.sock}: a Unix domain socket, 0600 in the 0700 data folder,
 * that answers only its own user (SO_PEERCRED). No network port, no secret on disk.
 * <p>
 * Who holds the store is decided by an OS lock on {@code data/trawl.sock.lock}, which the kernel releases when the
 * process dies: the socket file of a killed holder is stale, and the next holder replaces it.
 */
public final class StoreListener implements AutoCloseable {

	static final String SOCKET = "trawl.sock";
	static final String LOCK = "trawl.sock.lock";
	private static final Logger log = LoggerFactory.getLogger(StoreListener.class);
	private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();
	private static final ThreadLocal<Boolean> FORWARDED = ThreadLocal.withInitial(() -> false);

	/** Runs one forwarded command with the holder's context; returns its exit code. */
	@FunctionalInterface
	public interface Command {

		int run(String[] args, PrintStream out, PrintStream err);
	}

	private final Path dataDir;
	private final Path socket;
	private final FileChannel lockFile;
	private final FileLock lock;
	private final ServerSocketChannel server;
	private final UserPrincipal owner;
	// one party for the listener itself, one for each command in flight: close() waits for them
	private final Phaser running = new Phaser(1);
	private final Object accepting = new Object();
	private boolean closed;
	private Thread acceptor;
	private volatile PrintStream notices;

	private StoreListener(Path dataDir, Path socket, FileChannel lockFile, FileLock lock, ServerSocketChannel server)
			throws IOException {
		this.dataDir = dataDir;
		this.socket = socket;
		this.lockFile = lockFile;
		this.lock = lock;
		this.server = server;
		this.owner = server == null ? null : Files.getOwner(socket);
	}

	/**
	 * Makes this process the holder of the store in {@code dataDir}: takes the lock and binds the socket (no command
	 * is answered before {@link #serve}). Empty when another live process holds it.
	 */
	public static StoreListener tryClaim(Path dataDir) throws IOException {
		Path key = dataDir.toRealPath();
		// a holder in this very JVM (tests) answers like another process's; and a second channel on the lock file,
		// once closed, would drop the holder's POSIX lock with it
		if (!HELD_HERE.add(key)) {
			return null;
		}
		FileChannel lockFile;
		FileLock lock;
		try {
			lockFile = FileChannel.open(dataDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
		}
		catch (IOException | RuntimeException e) {
			HELD_HERE.remove(key);
			throw e;
		}
		try {
			lock = lockFile.tryLock();
		}
		catch (IOException | RuntimeException e) {
			lockFile.close();
			HELD_HERE.remove(key);
			throw e;
		}
		if (lock == null) {
			lockFile.close();
			HELD_HERE.remove(key);
			return null;
		}
		try {
			Path socket = dataDir.resolve(SOCKET);
			Files.deleteIfExists(socket); // a holder that died: nobody answers on it
			ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				server.bind(UnixDomainSocketAddress.of(socket));
			}
			catch (SocketException tooLong) {
				// sun_path holds about 107 bytes: the store is still ours alone, but nobody can ask us
				server.close();
				log.warn("No {} ({}): other commands wait for this one to end", socket, tooLong.getMessage());
				return new StoreListener(key, socket, lockFile, lock, null);
			}
			Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
			return new StoreListener(key, socket, lockFile, lock, server);
		}
		catch (IOException | RuntimeException e) {
			lockFile.close();
			HELD_HERE.remove(key);
			throw e;
		}
	}

	/** True on a forwarded command's thread: it must not act as the holder's own command (its launcher's files). */
	public static boolean isForwarded() {
		return FORWARDED.get();
	}

	public Path socket() {
		return socket;
	}

	/** False when the socket's path was too long to bind: other commands cannot reach this process. */
	public boolean answers() {
		return server != null;
	}

	/**
	 * Answers connections from now on, each on its own thread (a status must not wait for a rescan); says on
	 * {@code notices} when this process waits for them before it exits.
	 */
	public void serve(Command command, PrintStream notices) {
		this.notices = notices;
		if (server == null) {
			return;
		}
		acceptor = new Thread(() -> acceptLoop(command), "trawl-sock");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private void acceptLoop(Command command) {
		while (true) {
			SocketChannel channel;
			try {
				channel = server.accept();
			}
			catch (ClosedChannelException e) {
				return;
			}
			catch (IOException e) {
				log.warn("Could not accept a command on {}: {}", socket, e.toString());
				continue;
			}
			synchronized (accepting) {
				if (closed) {
					quietlyClose(channel); // the client sees no acceptance, and runs the command itself later
					return;
				}
				running.register();
			}
			Thread worker = new Thread(() -> {
				try {
					answer(channel, command);
				}
				finally {
					running.arriveAndDeregister();
				}
			}, "trawl-sock-command");
			worker.setDaemon(true);
			worker.start();
		}
	}

	private void answer(SocketChannel channel, Command command) {
		try (channel) {
			UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
			DataOutputStream frames = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
			if (!peer.user().equals(owner)) {
				log.warn("Refused a command on {} from user {}: only {} may use this store", socket,
						peer.user().getName(), owner.getName());
				Frames.write(frames, Frames.ERR, ("trawl: refused: the store in " + socket.getParent()
						+ " belongs to another user\n").getBytes(StandardCharsets.UTF_8));
				Frames.exit(frames, 2);
				return;
			}
			String[] args = Frames.readRequest(
					new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))));
			Frames.write(frames, Frames.ACCEPTED, new byte[0]);
			int code;
			try (PrintStream out = stream(frames, Frames.OUT); PrintStream err = stream(frames, Frames.ERR)) {
				FORWARDED.set(true);
				try {
					code = command.run(args, out, err);
				}
				catch (RuntimeException e) {
					log.error("A forwarded command failed", e);
					err.println("trawl: " + e.getMessage());
					code = 2;
				}
				finally {
					FORWARDED.remove();
				}
				out.flush();
				err.flush();
			}
			Frames.exit(frames, code);
		}
		catch (IOException e) {
			// the client went away (Ctrl-C on it): the command ran or runs to its end here regardless
			log.info("A forwarded command's client left: {}", e.toString());
		}
	}

	private static PrintStream stream(DataOutputStream frames, byte kind) {
		return new PrintStream(new OutputStream() {

			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				Frames.write(frames, kind, b, off, len);
			}

			@Override
			public void close() {
				// the frames stream stays open for the exit code
			}
		}, true, StandardCharsets.UTF_8);
	}

	/**
	 * Stops answering, removes the socket, and waits for the commands in flight to finish: called as the context
	 * starts closing, which they use. The store stays claimed: another process may open it only once {@link #close}
	 * (after the context closed H2) or the exit of this one releases the lock.
	 */
	public void stopAnswering() {
		synchronized (accepting) {
			if (closed) {
				return;
			}
			closed = true;
		}
		if (server == null) {
			return;
		}
		quietlyClose(server);
		try {
			Files.deleteIfExists(socket);
		}
		catch (IOException e) {
			log.debug("Could not remove {}: {}", socket, e.toString());
		}
		int inFlight = running.getRegisteredParties() - 1;
		if (inFlight > 0 && notices != null) {
			notices.println("trawl: waiting for " + inFlight + (inFlight == 1 ? " command" : " commands")
					+ " that other ./trawl processes sent to this one, which holds the store");
		}
		running.arriveAndAwaitAdvance();
	}

	/** Stops answering, then releases the store to other processes. */
	@Override
	public void close() {
		stopAnswering();
		try {
			lock.release();
			lockFile.close();
		}
		catch (IOException e) {
			log.debug("Could not release {}: {}", lock, e.toString());
		}
		finally {
			HELD_HERE.remove(dataDir);
		}
	}

	private static void quietlyClose(java.io.Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ignored) {
			// closing is all that is left to do
		}
	}

	/** The wire format, both ways: a request of arguments; frames of one kind byte, a length and bytes. */
	static final class Frames {

		static final byte ACCEPTED = 'A';
		static final byte OUT = 'O';
		static final byte ERR = 'E';
		static final byte EXIT = 'X';
		static final int VERSION = 1;
		private static final int MAX_ARGUMENT = 1 << 20;

		private Frames() {
		}

		static void writeRequest(DataOutputStream out, String[] args) throws IOException {
			out.writeInt(VERSION);
			out.writeInt(args.length);
			for (String arg : args) {
				byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
				out.writeInt(bytes.length);
				out.write(bytes);
			}
			out.flush();
		}

		static String[] readRequest(DataInputStream in) throws IOException {
			if (in.readInt() != VERSION) {
				throw new IOException("a client of another Trawl version");
			}
			int count = in.readInt();
			if (count < 0 || count > 1000) {
				throw new IOException("a request of " + count + " arguments");
			}
			List<String> args = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				int length = in.readInt();
				if (length < 0 || length > MAX_ARGUMENT) {
					throw new IOException("an argument of " + length + " bytes");
				}
				args.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
			}
			return args.toArray(String[]::new);
		}

		static void write(DataOutputStream out, byte kind, byte[] bytes) throws IOException {
			write(out, kind, bytes, 0, bytes.length);
		}

		static void write(DataOutputStream out, byte kind, byte[] bytes, int off, int len) throws IOException {
			synchronized (out) {
				out.writeByte(kind);
				out.writeInt(len);
				out.write(bytes, off, len);
				out.flush();
			}
		}

		static void exit(DataOutputStream out, int code) throws IOException {
			synchronized (out) {
				out.writeByte(EXIT);
				out.writeInt(code);
				out.flush();
			}
		}
	}
}
