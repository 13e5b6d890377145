package io.trawl.jobs.local;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;

import io.trawl.jobs.local.StoreListener.Frames;

/**
 * A {@code ./trawl} command whose store another process holds: sent to that process over {@code data/trawl.sock},
 * printed here as if it ran here.
 */
public final class StoreClient {

	/** The options whose value is a local path: made absolute here, since the holder runs in another folder. */
	private static final Set<String> PATH_OPTIONS = Set.of("--source", "--rules", "--dir");

	private StoreClient() {
	}

	/** Nobody took the command: no socket, a stale one, or a holder that was closing. Safe to try again. */
	public static final class NotListening extends IOException {

		NotListening(String message, Throwable cause) {
			super(message, cause);
		}
	}

	/**
	 * Runs {@code args} in the holder, copies its stdout and stderr to {@code out} and {@code err}, and returns its
	 * exit code.
	 * @throws NotListening when nobody accepted the command (it did not run)
	 * @throws IOException when the holder went away while it ran the command
	 */
	public static int forward(Path socket, String[] args, PrintStream out, PrintStream err) throws IOException {
		SocketChannel channel;
		try {
			channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		}
		catch (UnsupportedOperationException e) {
			throw new NotListening("no Unix domain sockets here", e);
		}
		try (channel) {
			try {
				channel.connect(UnixDomainSocketAddress.of(socket));
			}
			catch (IOException refusedOrMissing) {
				throw new NotListening(socket + ": " + refusedOrMissing, refusedOrMissing);
			}
			// the holder answers only its own user; the command, its paths and the answer stay with ours too
			String holder = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
			String refusal = otherUser(holder, ProcessHandle.current().info().user(), socket);
			if (refusal != null) {
				throw new IOException(refusal);
			}
			DataOutputStream request = new DataOutputStream(
					new BufferedOutputStream(Channels.newOutputStream(channel)));
			DataInputStream frames = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
			boolean accepted = false;
			try {
				Frames.writeRequest(request, absolutePaths(args));
				while (true) {
					byte kind = frames.readByte();
					int value = frames.readInt();
					switch (kind) {
						case Frames.ACCEPTED -> accepted = true;
						case Frames.OUT -> copy(frames, value, out);
						case Frames.ERR -> copy(frames, value, err);
						case Frames.EXIT -> {
							out.flush();
							err.flush();
							return value;
						}
						default -> throw new IOException("an unknown frame " + kind + " from " + socket);
					}
				}
			}
			catch (EOFException | java.net.SocketException e) {
				if (!accepted) {
					throw new NotListening("the holder closed " + socket + " before taking the command", e);
				}
				throw new IOException("the process holding the store stopped before the command finished", e);
			}
		}
	}

	/**
	 * Why a command must not go to the process listening on {@code socket}, run by user {@code holder}: it is not this
	 * process's user (a socket left in a data folder that others can write to), or this user is unknown. Null when it
	 * may.
	 */
	static String otherUser(String holder, Optional<String> me, Path socket) {
		if (me.isPresent() && me.get().equals(holder)) {
			return null;
		}
		return "the process listening on " + socket + " runs as " + holder + ", not as " + me.orElse("this user")
				+ "; nothing was sent to it. Use a data folder of your own (TRAWL_DATA_DIR)";
	}

	private static void copy(DataInputStream frames, int length, PrintStream to) throws IOException {
		to.write(frames.readNBytes(length));
		to.flush();
	}

	static String[] absolutePaths(String[] args) {
		String[] result = args.clone();
		for (int i = 1; i < result.length; i++) {
			int equals = result[i].indexOf('=');
			if (equals > 0 && PATH_OPTIONS.contains(result[i].substring(0, equals))) {
				// the parser also reads --source=DIR
				result[i] = result[i].substring(0, equals + 1) + absolute(result[i].substring(equals + 1));
			}
			else if (i + 1 < result.length && PATH_OPTIONS.contains(result[i])) {
				result[i + 1] = absolute(result[i + 1]);
				i++;
			}
		}
		return result;
	}

	private static String absolute(String path) {
		return path.contains("://") ? path : Path.of(path).toAbsolutePath().normalize().toString();
	}
}
