package io.trawl.worker.analysis.content;

import org.apache.tika.Tika;

import io.trawl.worker.analysis.AbstractAnalyzer;
import io.trawl.worker.analysis.Findings;
import io.trawl.worker.source.Sample;

/** MIME type from the content's magic alone: a sample's name is chosen by whoever sent it, so it is not trusted. */
public final class MimeTypeAnalyzer extends AbstractAnalyzer {

	private static final int HEAD = 64 * 1024;

	private final Tika tika = new Tika();

	public MimeTypeAnalyzer() {
		super("mimeType", "tika-" + Tika.class.getPackage().getImplementationVersion());
	}

	@Override
	public void analyse(Sample sample, Findings findings) {
		findings.put("mimeType", tika.detect(sample.head(HEAD)));
	}
}
