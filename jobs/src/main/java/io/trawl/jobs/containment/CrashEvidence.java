package io.trawl.jobs.containment;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.trawl.worker.isolation.NativeHosts;

/**
 * Whether a worker process that died while analysing a sample died of a crash, as far as this machine can tell.
 * <p>
 * A JVM that crashes writes {@code hs_err_pid<pid>.log} where {@code -XX:ErrorFile} says. When the kernel's OOM killer
 * takes it, the {@link Supervisor} (on AWS, the worker's systemd unit) writes {@code oom_kill_pid<pid>.log} in the
 * same folder. A process on this host that left neither, since the marker, was stopped from outside ({@code kill -9}, a
 * reboot), which says nothing about its sample. A process on another host cannot be inspected from here, nor can one
 * whose marker predates the worker field: their deaths still count against the sample.
 */
public final class CrashEvidence {

	private final String host;
	private final List<Path> folders;

	public CrashEvidence(String host, List<Path> folders) {
		this.host = host;
		this.folders = List.copyOf(folders);
	}

	/** This host, and the folder this JVM writes its crash log to (the same for every run the supervisor starts). */
	public static CrashEvidence ofThisJvm() {
		// without -XX:ErrorFile, the JVM writes its crash log in the working directory
		return new CrashEvidence(hostName(), List.of(NativeHosts.crashLogFolder(Path.of(""))));
	}

	/**
	 * This host's name, as attempt markers, job owners and partition owners record it ("host:pid"): a death can be
	 * checked only on the host it happened on.
	 */
	public static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException e) {
			return "unknown";
		}
	}

	/**
	 * @param worker "host:pid" as the marker recorded it, or null
	 * @param started when the marker was written: older crash logs of a reused pid do not count
	 */
	boolean diedOfCrash(String worker, Instant started) {
		int colon = worker == null ? -1 : worker.lastIndexOf(':');
		if (colon < 0 || !worker.substring(0, colon).equals(host)) {
			return true;
		}
		String pid = worker.substring(colon + 1);
		for (Path folder : folders) {
			for (String name : List.of("hs_err_pid" + pid + ".log", "oom_kill_pid" + pid + ".log")) {
				if (writtenSince(folder.resolve(name), started)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean writtenSince(Path file, Instant started) {
		try {
			// a second of slack for file systems that keep whole seconds
			return Files.getLastModifiedTime(file).toInstant().isAfter(started.minusSeconds(1));
		}
		catch (IOException absent) {
			return false;
		}
	}
}
