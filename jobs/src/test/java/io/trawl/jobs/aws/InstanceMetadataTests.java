package io.trawl.jobs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The IMDSv2 exchange (a token, then the instance id with it) against moto's instance metadata service. */
class InstanceMetadataTests {

	static MotoServer moto;

	@BeforeAll
	static void start() {
		moto = MotoServer.start();
	}

	@AfterAll
	static void stop() {
		if (moto != null) {
			moto.close();
		}
	}

	@Test
	void theInstanceIdComesFromTheMetadataService() throws IOException {
		assertThat(new InstanceMetadata(moto.endpoint()).instanceId()).isEqualTo("i-fake");
	}

	@Test
	void offEc2ThereIsNoInstanceId() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		URI nobody = URI.create("http://127.0.0.1:" + port);
		assertThatThrownBy(() -> new InstanceMetadata(nobody).instanceId()).isInstanceOf(IOException.class);
	}
}
