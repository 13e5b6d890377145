package io.trawl.jobs.rescan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.trawl.worker.source.FolderSampleSource;
import io.trawl.worker.source.Sample;
import io.trawl.worker.source.SampleRef;
import io.trawl.worker.source.SampleSource;

/** Folders as in the embedded default, with a test's step run just before each sample is opened. */
final class FoldersBeforeOpen {

	@FunctionalInterface
	interface Step {
		/** @param file the sample's file in its folder */
		void beforeOpening(SampleRef ref, Path file) throws IOException;
	}

	private FoldersBeforeOpen() {
	}

	static SampleSources with(Step step) {
		return location -> {
			SampleSource folder = new FolderSampleSource(Path.of(location), 1 << 20);
			return new SampleSource() {
				@Override
				public String describe() {
					return folder.describe();
				}

				@Override
				public Stream<SampleRef> list(String afterLocation) {
					return folder.list(afterLocation);
				}

				@Override
				public Stream<SampleRef> list(String afterLocation, String lastLocation) {
					return folder.list(afterLocation, lastLocation);
				}

				@Override
				public Sample open(SampleRef ref) throws IOException {
					step.beforeOpening(ref, Path.of(location).resolve(ref.location()));
					return folder.open(ref);
				}
			};
		};
	}
}
