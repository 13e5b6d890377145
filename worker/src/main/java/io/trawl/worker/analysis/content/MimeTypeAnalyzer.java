package io.trawl.worker.analysis.content;

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

	private final TikaMagic magic = TikaMagic.load(this.tika);

	public MimeTypeAnalyzer() {
		super("mimeType", "tika-" + Tika.class.getPackage().getImplementationVersion());
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		findings.put("mimeType", detect(sample.head(HEAD)));
	}

	/** What {@code new Tika().detect(head)} gives for {@code head}, at most 64 KB. */
	String detect(byte[] head) {
		return this.magic != null ? this.magic.detect(head) : this.tika.detect(head);
	}

	/** Whether {@link #detect} uses {@link TikaMagic} (true unless Tika's set-up is not the one it knows). */
	boolean fast() {
		return this.magic != null;
	}
}
