package ai.alo.audio.impl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh embedded reference audio service for every test, closed afterwards with every client the test made. */
abstract class ServerBackedTest {

    ServerFixture fixture;

    @BeforeEach
    void startServer() {
        fixture = new ServerFixture();
    }

    @AfterEach
    void stopServer() {
        fixture.close();
    }
}
