package io.trawl.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file swapped after listing, for a symbolic link, a FIFO, a socket, another file, or through a parent folder
 * swapped for a link: opening it refuses it with one sentence, reads nothing of what took its place, and never
 * blocks. The file that stays in place, even renamed, is read through the descriptor that was opened.
 */
class FolderSampleSwapTests {

	private static final String SECRET = "root:$6$not-for-the-results:19000:0:99999:7:::";

	@TempDir
	Path root;

	@TempDir
	Path outside;

	@Test
	void givenAListedFile_whenReplacedBySymlinkToASecret_thenOpenIsRefusedNamingTheSwap() throws IOException {
		Path secret = Files.writeString(outside.resolve("shadow"), SECRET);
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));
		Files.createSymbolicLink(root.resolve("a.bin"), secret);

		assertThatThrownBy(() -> source.open(ref)).isInstanceOf(IOException.class)
			.hasMessage(root.resolve("a.bin") + " was replaced after listing by a symbolic link; not read.")
			.message().doesNotContain(SECRET);
	}

	@Test
	void givenAListedFile_whenReplacedByAFifo_thenOpenFailsAtOnceInsteadOfWaitingForAWriter() throws Exception {
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));
		mkfifo(root.resolve("a.bin"));

		// without O_NONBLOCK the open waits for a writer that never comes
		IOException refused = assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> catchIo(() -> source.open(ref).close()));
		assertThat(refused).hasMessage(root.resolve("a.bin") + " was replaced after listing by a FIFO; not read.");
	}

	@Test
	void givenAListedFile_whenReplacedByADevice_thenItIsRefusedWithoutBeingOpened() throws Exception {
		assumeTrue("root".equals(System.getProperty("user.name")), "making a device node takes root");
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));
		// the terminal device: opening it without a controlling terminal fails (ENXIO), so only a check made
		// before any open can name it
		Process mknod = new ProcessBuilder("mknod", root.resolve("a.bin").toString(), "c", "5", "0").start();
		assertThat(mknod.waitFor()).isZero();

		assertThatThrownBy(() -> source.open(ref)).isInstanceOf(IOException.class)
			.hasMessage(root.resolve("a.bin") + " was replaced after listing by a character device; not read.");
	}

	@Test
	void givenAListedFile_whenReplacedBySocket_thenOpenIsRefused() throws Exception {
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));
		try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			socket.bind(UnixDomainSocketAddress.of(root.resolve("a.bin")));

			IOException refused = assertTimeoutPreemptively(Duration.ofSeconds(5),
					() -> catchIo(() -> source.open(ref).close()));
			assertThat(refused)
				.hasMessage(root.resolve("a.bin") + " was replaced after listing by a socket; not read.");
		}
	}

	@Test
	void givenAListedFile_whenReplacedByAnotherRegularFile_thenOpenIsRefusedForItsNewInode() throws IOException {
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Path other = Files.writeString(root.resolve("other.tmp"), SECRET);
		Files.move(other, root.resolve("a.bin"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

		assertThatThrownBy(() -> source.open(ref)).isInstanceOf(IOException.class)
			.hasMessageMatching("\\Q" + root.resolve("a.bin") + "\\E was replaced after listing by another file "
					+ "\\(listed as dev=\\w+,ino=(\\d+), now dev=\\w+,ino=(?!\\1\\))\\d+\\); not read\\.")
			.message().doesNotContain(SECRET);
	}

	@Test
	void givenAListedFile_whenItsParentFolderIsReplacedBySymlinkToASecretFolder_thenOpenIsRefused() throws IOException {
		Files.writeString(outside.resolve("a.bin"), SECRET); // same name as the listed file, behind the link
		Path folder = Files.createDirectory(root.resolve("batch"));
		Files.writeString(folder.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);
		assertThat(ref.location()).isEqualTo("batch/a.bin");

		Files.move(folder, root.resolve("batch.old"));
		Files.createSymbolicLink(root.resolve("batch"), outside);

		// open(2) follows the parent link; the inode it reaches is not the listed one
		assertThatThrownBy(() -> source.open(ref)).isInstanceOf(IOException.class)
			.hasMessageStartingWith(root.resolve("batch/a.bin") + " was replaced after listing by another file")
			.message().doesNotContain(SECRET);
	}

	@Test
	void givenAListedFile_whenReplacedByAFolder_thenOpenIsRefused() throws IOException {
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));
		Files.createDirectory(root.resolve("a.bin"));

		assertThatThrownBy(() -> source.open(ref))
			.hasMessage(root.resolve("a.bin") + " was replaced after listing by a folder; not read.");
	}

	@Test
	void givenAListedFile_whenRemoved_thenOpenSaysSo() throws IOException {
		Files.writeString(root.resolve("a.bin"), "a sample");
		FolderSampleSource source = new FolderSampleSource(root, 1024);
		SampleRef ref = single(source);

		Files.delete(root.resolve("a.bin"));

		assertThatThrownBy(() -> source.open(ref)).isInstanceOf(NoSuchFileException.class)
			.hasMessage(root.resolve("a.bin") + ": it was removed or renamed after listing; not read");
	}

	@Test
	void givenAnOpenSample_whenItsNameIsReplacedAndItIsLarge_thenTheOpenFileIsStillWhatIsRead() throws IOException {
		byte[] original = "the listed content ".repeat(200).getBytes(StandardCharsets.US_ASCII);
		Files.write(root.resolve("a.bin"), original);
		FolderSampleSource source = new FolderSampleSource(root, 64); // streamed from its file, not held
		SampleRef ref = single(source);

		try (Sample sample = source.open(ref)) {
			Files.delete(root.resolve("a.bin"));
			Files.writeString(root.resolve("a.bin"), SECRET);

			assertThat(sample.bytes()).isEmpty();
			assertThat(sample.file()).hasValueSatisfying(file -> assertThat(file.toString())
				.startsWith("/proc/" + ProcessHandle.current().pid() + "/fd/"));
			try (var in = sample.openStream()) {
				assertThat(in.readAllBytes()).isEqualTo(original);
			}
		}
	}

	@Test
	void givenARefThatWasNotListed_whenItIsARegularFile_thenItIsReadAndASymlinkIsNot() throws IOException {
		Files.writeString(root.resolve("a.bin"), "a sample");
		Files.createSymbolicLink(root.resolve("link.bin"), Files.writeString(outside.resolve("shadow"), SECRET));
		FolderSampleSource source = new FolderSampleSource(root, 1024);

		try (Sample sample = source.open(new SampleRef("a.bin", 8))) {
			assertThat(StandardCharsets.US_ASCII.decode(sample.bytes().orElseThrow()).toString()).isEqualTo("a sample");
		}
		assertThatThrownBy(() -> source.open(new SampleRef("link.bin", 8)))
			.hasMessage(root.resolve("link.bin") + " is a symbolic link; not read.");
	}

	private static SampleRef single(FolderSampleSource source) {
		try (Stream<SampleRef> refs = source.list(null)) {
			List<SampleRef> all = refs.toList();
			assertThat(all).hasSize(1);
			return all.get(0);
		}
	}

	private static void mkfifo(Path path) throws Exception {
		Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
		assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(mkfifo.exitValue()).isZero();
	}

	private static IOException catchIo(IoAction action) {
		try {
			action.run();
		}
		catch (IOException e) {
			return e;
		}
		throw new AssertionError("expected the open to be refused");
	}

	@FunctionalInterface
	private interface IoAction {
		void run() throws IOException;
	}
}
