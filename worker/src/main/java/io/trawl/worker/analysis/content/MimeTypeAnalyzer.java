package io.trawl.worker.analysis.content;

import java.util.Set;

import org.apache.tika.Tika;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/**
 * MIME type from the content's magic alone: a sample's name is chosen by whoever sent it, so it is not trusted.
 * <p>
 * The answer is {@code new Tika().detect(first 64 KB)}, computed by {@link TikaMagic} from Tika's own magic table
 * without the façade's per-call costs; if Tika's set-up is not the one {@link TikaMagic} knows, the façade itself.
 */
public final class MimeTypeAnalyzer extends AbstractAnalyzer {

	private static final int HEAD = TikaMagic.MIN_LENGTH;

	private final Tika tika = new Tika();

	/** Read from Tika's table at the first detection, not when the analyzer is made: commands that analyse nothing
	 * (status, results) do not pay for it. */
	private volatile TikaMagic magic;

	private volatile boolean magicRead;

	public MimeTypeAnalyzer() {
		super("mimeType", "tika-" + Tika.class.getPackage().getImplementationVersion());
	}

	@Override
	public Set<String> fields() {
		return Set.of("mimeType");
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		findings.put("mimeType", detect(sample.head(HEAD)));
	}

	/** What {@code new Tika().detect(head)} gives for {@code head}, at most 64 KB. */
	String detect(byte[] head) {
		TikaMagic fast = magic();
		return fast != null ? fast.detect(head) : this.tika.detect(head);
	}

	private TikaMagic magic() {
		if (!this.magicRead) {
			synchronized (this) {
				if (!this.magicRead) {
					this.magic = TikaMagic.load(this.tika);
					this.magicRead = true;
				}
			}
		}
		return this.magic;
	}

	/** Whether {@link #detect} uses {@link TikaMagic} (true unless Tika's set-up is not the one it knows). */
	boolean fast() {
		return magic() != null;
	}
}
