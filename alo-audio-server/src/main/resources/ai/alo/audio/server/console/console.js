/*
 * The web console of the ALO reference audio service (docs/reference-server.md, "Web console").
 *
 * It speaks the signalling protocol of docs/protocol.md, version 2, over the browser's WebSocket, and carries the
 * channel's audio over the browser's own WebRTC (capability "media.webrtc"), exactly as the Java client does:
 *
 *   WebSocket (subprotocols "alo-audio", "bearer.<token>") -> hello -> welcome -> join -> joined + roster pages
 *   -> media.offer (complete SDP, non-trickle) -> media.answer -> ICE/DTLS connected -> CONNECTED
 *
 * States are the Java SDK's: NOT_CONNECTED, CONNECTING, ACQUIRING_ACCESS, CONNECTED, DISCONNECTING, DISCONNECTED,
 * ERROR. A server without "media.webrtc" gives a signalling-only session (audio "unavailable").
 *
 * Testability: window.aloConsole.status() returns a plain object (state, participants, received level and peak
 * frequency, sent level, last disconnect, media state), recomputed continuously; tests read it over the Chrome
 * DevTools Protocol. The form can be prefilled from the URL's #fragment (never sent to any server):
 *   #user=u-1&name=Ann&token=...&channel=dispatch&channelName=Dispatch&fullDuplex=1&src=tone&freq=660&auto=1
 * The token is accepted ONLY from the fragment (never from ?query, which reaches servers and logs); the fragment is
 * removed from the address bar once read. The page never sends its URL anywhere.
 *
 * Secrets: the token travels only in the WebSocket handshake; neither the token nor a session description is ever
 * written to the page's event log or the browser console.
 */
'use strict';

(() => {
    const VERSION = '0.1.0';
    const CLIENT_NAME = 'alo-audio-console/' + VERSION;
    const PROTOCOL_VERSION = 2;
    const SUBPROTOCOL = 'alo-audio';
    const MEDIA_WEBRTC = 'media.webrtc';
    const REQUESTED_HEARTBEAT = {intervalMs: 1000, timeoutMs: 2500};
    /** Socket open, welcome, join and the audio connection must all be done by then. */
    const CONNECT_TIMEOUT_MS = 20000;
    /** The audio connection (ICE and DTLS) must be up this long after the answer. */
    const MEDIA_CONNECT_TIMEOUT_MS = 15000;
    /** Non-trickle: the offer waits for ICE gathering, at most this long. */
    const ICE_GATHERING_TIMEOUT_MS = 5000;
    /** How long a disconnect waits for the server's close before it is done anyway. */
    const CLOSE_WAIT_MS = 2000;
    const METER_INTERVAL_MS = 50;
    /** RMS below which no peak frequency is reported (about -50 dBFS). */
    const SILENCE_RMS = 0.003;
    const TONE_GAIN = 0.5;
    const MAX_LOG_ENTRIES = 200;

    /** The Java SDK's DisconnectReason default messages (ai.alo.audio.DisconnectReason). */
    const REASON_MESSAGES = {
        CLIENT_INITIATED: '',
        CONNECTION_LOST: 'Lost connection to the server',
        HEARTBEAT_TIMEOUT: 'Lost connection to the server',
        CONNECT_FAILED: 'Could not connect to the audio service',
        CONNECT_TIMEOUT: 'Timed out connecting to the audio service',
        TOKEN_REJECTED: 'The audio service rejected the user auth token',
        TOKEN_EXPIRED: 'The user auth token has expired',
        FORBIDDEN: 'The user auth token does not allow this session',
        JOIN_REJECTED: 'The audio service refused to join the channel',
        KICKED: 'Removed from the channel by the audio service',
        DUPLICATE_SESSION: 'Another session of this user and device replaced this one',
        SERVER_SHUTDOWN: 'The audio service is shutting down',
        SESSION_ENDED: 'The audio service ended the session',
        SERVER_HEARTBEAT_TIMEOUT: 'The audio service stopped hearing this client',
        UNSUPPORTED_PROTOCOL: 'The audio service does not support this client\'s protocol version',
        PROTOCOL_ERROR: 'Signalling protocol error',
        INTERNAL_ERROR: 'Internal error in the audio client',
        MEDIA_FAILED: 'Could not set up audio with the audio service',
        MEDIA_LOST: 'Lost the audio connection to the server',
    };

    /** Close code -> reason, as the Java client maps them (CloseCodeMapping). */
    const CLOSE_REASONS = {
        1001: 'SERVER_SHUTDOWN', 1012: 'SERVER_SHUTDOWN',
        1002: 'PROTOCOL_ERROR', 1003: 'PROTOCOL_ERROR', 1007: 'PROTOCOL_ERROR', 1009: 'PROTOCOL_ERROR',
        4001: 'TOKEN_REJECTED', 4002: 'TOKEN_REJECTED', 4003: 'TOKEN_EXPIRED', 4004: 'FORBIDDEN',
        4005: 'UNSUPPORTED_PROTOCOL', 4006: 'PROTOCOL_ERROR', 4008: 'SERVER_HEARTBEAT_TIMEOUT', 4009: 'KICKED',
        4010: 'DUPLICATE_SESSION',
    };

    /** The reason an "end" message names. */
    const END_REASONS = {kicked: 'KICKED', replaced: 'DUPLICATE_SESSION', shutdown: 'SERVER_SHUTDOWN'};

    const $ = (id) => document.getElementById(id);

    // ------------------------------------------------------------------ page state

    let state = 'NOT_CONNECTED';
    let lastDisconnect = null;
    /** The audio state of the current (or, after it ended, the last) connection attempt. */
    let mediaState = 'off';
    /** The current connection attempt, or null. */
    let current = null;
    let audioContext = null;
    let requestCounter = 0;
    const meters = {received: 0, receivedPeakHz: null, sent: 0};
    const deviceId = stableDeviceId();

    function setState(next) {
        if (state === next) {
            return;
        }
        state = next;
        const element = $('state');
        element.textContent = next;
        element.dataset.state = next;
        const active = next === 'CONNECTING' || next === 'ACQUIRING_ACCESS' || next === 'CONNECTED';
        $('connect').disabled = active || next === 'DISCONNECTING';
        $('disconnect').disabled = !active;
        $('connect-fields').disabled = active || next === 'DISCONNECTING';
        log('state ' + next);
        updateAudioControls();
    }

    function log(text) {
        const list = $('log');
        const item = document.createElement('li');
        item.textContent = new Date().toISOString().substring(11, 23) + ' ' + text;
        list.appendChild(item);
        while (list.childElementCount > MAX_LOG_ENTRIES) {
            list.removeChild(list.firstElementChild);
        }
        list.scrollTop = list.scrollHeight;
    }

    function nextRequestId() {
        requestCounter += 1;
        return 'c' + requestCounter;
    }

    function stableDeviceId() {
        // One device id per browser tab: a reload replaces the tab's previous session instead of adding one.
        const key = 'alo-audio-console.deviceId';
        try {
            let id = window.sessionStorage.getItem(key);
            if (!id) {
                id = 'console-' + randomHex(8);
                window.sessionStorage.setItem(key, id);
            }
            return id;
        } catch (e) {
            return 'console-' + randomHex(8);
        }
    }

    function randomHex(bytes) {
        const values = new Uint8Array(bytes);
        window.crypto.getRandomValues(values);
        return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('');
    }

    function ensureAudioContext() {
        if (!audioContext) {
            audioContext = new AudioContext();
        }
        if (audioContext.state === 'suspended') {
            audioContext.resume().catch(() => {});
        }
        return audioContext;
    }

    // ------------------------------------------------------------------ one connection attempt

    /**
     * One connection attempt, from the socket's opening to its end. Every callback first checks that this attempt is
     * still the current one (ended attempts ignore late events). end() is the only way out and releases everything:
     * timers, the peer connection, the local audio, the analysers and the socket.
     */
    class Connection {

        constructor(settings) {
            this.settings = settings;
            this.ws = null;
            this.opened = false;
            this.ended = false;
            this.disconnecting = false;
            this.endMessage = null;
            this.sessionId = null;
            this.capabilities = [];
            this.heartbeat = null;
            this.lastReceived = 0;
            this.pingSeq = 0;
            this.joinRequestId = null;
            this.offerRequestId = null;
            this.connectionId = null;
            this.rosterPages = [];
            this.joined = false;
            this.participants = new Map();
            this.setMediaState('off');
            this.localAudio = null;
            this.local = null;
            this.pc = null;
            this.remoteStream = null;
            this.rxSource = null;
            this.rxAnalyser = null;
            this.txSource = null;
            this.txAnalyser = null;
            this.talking = false;
            this.muted = false;
            this.timers = new Set();
        }

        start() {
            setState('CONNECTING');
            this.later(CONNECT_TIMEOUT_MS, () => {
                if (state !== 'CONNECTED') {
                    this.end('CONNECT_TIMEOUT', '', 0);
                }
            });
            try {
                this.ws = new WebSocket(this.settings.server, [SUBPROTOCOL, 'bearer.' + this.settings.token]);
            } catch (e) {
                // A SyntaxError names the URL, never the protocols: safe to show.
                const detail = e && e.name === 'SyntaxError' && !String(e.message).includes(this.settings.token)
                    ? e.message : 'the server URL or the token cannot be used by a browser';
                this.end('CONNECT_FAILED', detail, 0);
                return;
            }
            this.ws.onopen = () => this.guard(() => this.onOpen());
            this.ws.onmessage = (event) => this.guard(() => this.onText(event.data));
            this.ws.onclose = (event) => this.guard(() => this.onClose(event.code, event.reason));
            this.ws.onerror = () => this.guard(() => log('socket error'));
        }

        /** Runs a callback of this attempt unless it ended; a throw ends the attempt instead of going unnoticed. */
        guard(callback) {
            if (this.ended) {
                return;
            }
            try {
                callback();
            } catch (e) {
                this.end('INTERNAL_ERROR', e && e.message ? e.message : String(e), 0);
            }
        }

        later(delayMs, callback) {
            const timer = window.setTimeout(() => {
                this.timers.delete(timer);
                this.guard(callback);
            }, delayMs);
            this.timers.add(timer);
            return timer;
        }

        every(periodMs, callback) {
            const timer = window.setInterval(() => this.guard(callback), periodMs);
            this.timers.add(timer);
            return timer;
        }

        send(message) {
            if (this.ws && this.ws.readyState === WebSocket.OPEN) {
                this.ws.send(JSON.stringify(message));
            }
        }

        onOpen() {
            this.opened = true;
            this.lastReceived = performance.now();
            if (this.ws.protocol !== SUBPROTOCOL) {
                log('the server answered subprotocol "' + this.ws.protocol + '"');
            }
            setState('ACQUIRING_ACCESS');
            this.send({
                type: 'hello',
                protocol: PROTOCOL_VERSION,
                minProtocol: PROTOCOL_VERSION,
                client: CLIENT_NAME,
                user: {id: this.settings.user, name: this.settings.name, deviceId: deviceId},
                ttsEnabled: false,
                heartbeat: REQUESTED_HEARTBEAT,
                capabilities: [MEDIA_WEBRTC],
            });
        }

        onText(text) {
            this.lastReceived = performance.now();
            let message;
            try {
                message = JSON.parse(text);
            } catch (e) {
                log('ignored a message that is not JSON');
                return;
            }
            if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
                log('ignored a message without a type');
                return;
            }
            switch (message.type) {
                case 'welcome': return this.onWelcome(message);
                case 'joined': return this.onJoined(message);
                case 'roster': return this.onRoster(message);
                case 'participant.joined': return this.onParticipantJoined(message);
                case 'participant.left': return this.onParticipantLeft(message);
                case 'ping': return this.send({type: 'pong', seq: message.seq});
                case 'pong': return undefined;
                case 'left': return undefined;
                case 'media.answer': return this.onMediaAnswer(message);
                case 'media.state': return this.onMediaState(message);
                case 'error': return this.onError(message);
                case 'end':
                    this.endMessage = message;
                    log('end: ' + printable(message.reason) + ' ' + printable(message.message));
                    return undefined;
                default:
                    log('ignored a message of type ' + printable(message.type));
                    return undefined;
            }
        }

        onWelcome(welcome) {
            this.sessionId = String(welcome.sessionId || '');
            this.capabilities = Array.isArray(welcome.capabilities) ? welcome.capabilities.map(String) : [];
            const heartbeat = welcome.heartbeat || {};
            const intervalMs = Number(heartbeat.intervalMs) > 0 ? Number(heartbeat.intervalMs)
                : REQUESTED_HEARTBEAT.intervalMs;
            const timeoutMs = Number(heartbeat.timeoutMs) > intervalMs ? Number(heartbeat.timeoutMs)
                : Math.max(REQUESTED_HEARTBEAT.timeoutMs, 2 * intervalMs);
            this.heartbeat = {intervalMs, timeoutMs};
            log('welcome: protocol ' + printable(welcome.protocol) + ', heartbeat ' + intervalMs + '/' + timeoutMs
                + ' ms, capabilities [' + this.capabilities.map(printable).join(', ') + ']');
            // Heartbeat: ping at the agreed interval; the link is dead when nothing at all arrived for timeoutMs.
            this.every(intervalMs, () => {
                this.pingSeq += 1;
                this.send({type: 'ping', seq: this.pingSeq});
            });
            this.every(Math.min(100, intervalMs), () => {
                if (performance.now() - this.lastReceived > timeoutMs) {
                    this.end('HEARTBEAT_TIMEOUT', '', 0);
                }
            });
            if (this.usesMedia()) {
                this.setMediaState('acquiring');
                this.localAudio = acquireLocalAudio(this.settings);
                this.localAudio.catch(() => {}); // reported where it is awaited
            }
            this.joinRequestId = nextRequestId();
            this.send({
                type: 'join',
                requestId: this.joinRequestId,
                channel: {id: this.settings.channel, name: this.settings.channelName,
                    fullDuplex: this.settings.fullDuplex},
            });
        }

        usesMedia() {
            return this.capabilities.includes(MEDIA_WEBRTC);
        }

        onJoined(joined) {
            if (joined.requestId !== this.joinRequestId) {
                return;
            }
            this.connectionId = String(joined.connectionId || '');
            this.rosterPages = [];
        }

        onRoster(page) {
            if (page.requestId !== this.joinRequestId || this.joined) {
                return;
            }
            this.rosterPages.push(Array.isArray(page.participants) ? page.participants : []);
            if (page.last !== true) {
                return;
            }
            this.participants.clear();
            for (const participants of this.rosterPages) {
                for (const participant of participants) {
                    this.addParticipant(participant);
                }
            }
            this.rosterPages = [];
            this.joined = true;
            renderParticipants();
            log('joined ' + printable(this.settings.channel) + ' with ' + this.participants.size
                + ' participant(s)');
            if (this.usesMedia()) {
                this.startMedia().catch((e) => this.guard(() => this.end('MEDIA_FAILED', describe(e), 0)));
            } else {
                this.setMediaState('unavailable');
                log('the server does not relay audio (no ' + MEDIA_WEBRTC + ' capability): signalling only');
                setState('CONNECTED');
            }
        }

        addParticipant(participant) {
            if (participant && typeof participant.connectionId === 'string') {
                this.participants.set(participant.connectionId, {
                    connectionId: participant.connectionId,
                    userId: String(participant.userId || ''),
                    name: String(participant.name || ''),
                    muted: participant.muted === true,
                    self: participant.connectionId === this.connectionId,
                });
            }
        }

        onParticipantJoined(message) {
            if (!this.joined || message.channelId !== this.settings.channel) {
                return;
            }
            this.addParticipant(message.participant);
            renderParticipants();
            log('participant joined: ' + describeParticipant(message.participant));
        }

        onParticipantLeft(message) {
            if (!this.joined || message.channelId !== this.settings.channel || !message.participant) {
                return;
            }
            this.participants.delete(message.participant.connectionId);
            renderParticipants();
            log('participant left: ' + describeParticipant(message.participant) + ' (' + printable(message.reason)
                + ')');
        }

        onError(error) {
            const detail = printable(error.code) + ': ' + printable(error.message);
            if (error.requestId && error.requestId === this.joinRequestId) {
                this.end('JOIN_REJECTED', detail, 0);
            } else if (error.requestId && error.requestId === this.offerRequestId) {
                this.end('MEDIA_FAILED', detail, 0);
            } else {
                log('error from the server: ' + detail);
            }
        }

        // -------------------------------------------------------------- media

        setMediaState(next) {
            this.mediaState = next;
            mediaState = next;
            $('media-state').textContent = next;
        }

        async startMedia() {
            let local;
            try {
                local = await this.localAudio;
            } catch (e) {
                throw new Error('No audio to send (' + describe(e) + ')');
            }
            if (this.ended) {
                local.release();
                return;
            }
            this.local = local;
            const context = ensureAudioContext();
            this.txSource = context.createMediaStreamSource(new MediaStream([local.track]));
            this.txAnalyser = newAnalyser(context, 2048);
            this.txSource.connect(this.txAnalyser);
            this.applyTalkState();

            const pc = new RTCPeerConnection({iceServers: []});
            this.pc = pc;
            pc.addTrack(local.track, local.stream);
            pc.ontrack = (event) => this.guard(() => this.onRemoteTrack(event));
            pc.onconnectionstatechange = () => this.guard(() => this.onPeerState(pc.connectionState));
            this.setMediaState('offering');
            await pc.setLocalDescription(await pc.createOffer());
            await iceGatheringComplete(pc, ICE_GATHERING_TIMEOUT_MS);
            if (this.ended) {
                return;
            }
            this.offerRequestId = nextRequestId();
            this.send({type: 'media.offer', requestId: this.offerRequestId, channelId: this.settings.channel,
                sdp: pc.localDescription.sdp});
            this.setMediaState('connecting');
            this.later(MEDIA_CONNECT_TIMEOUT_MS, () => {
                if (this.mediaState !== 'connected') {
                    this.end('MEDIA_FAILED', 'no audio connection within ' + MEDIA_CONNECT_TIMEOUT_MS / 1000 + ' s',
                        0);
                }
            });
        }

        onMediaAnswer(answer) {
            if (!this.pc || answer.requestId !== this.offerRequestId || typeof answer.sdp !== 'string') {
                return;
            }
            this.pc.setRemoteDescription({type: 'answer', sdp: answer.sdp})
                .catch((e) => this.guard(() => this.end('MEDIA_FAILED', 'the answer cannot be used ('
                    + describe(e) + ')', 0)));
        }

        onMediaState(message) {
            if (message.channelId !== this.settings.channel) {
                return;
            }
            log('server audio: ' + printable(message.state) + (message.message ? ' ' + printable(message.message)
                : ''));
            if (message.state === 'failed' || (message.state === 'closed' && !this.disconnecting)) {
                this.end(state === 'CONNECTED' ? 'MEDIA_LOST' : 'MEDIA_FAILED', printable(message.message), 0);
            }
        }

        onRemoteTrack(event) {
            const stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
            this.remoteStream = stream;
            const audio = $('remote-audio');
            audio.srcObject = stream;
            audio.play().catch((e) => log('the browser holds playback until you interact with the page ('
                + describe(e) + ')'));
            const context = ensureAudioContext();
            if (this.rxSource) {
                this.rxSource.disconnect();
            }
            this.rxSource = context.createMediaStreamSource(stream);
            this.rxAnalyser = newAnalyser(context, 8192);
            this.rxSource.connect(this.rxAnalyser);
        }

        onPeerState(peerState) {
            log('audio connection ' + peerState);
            if (peerState === 'connected') {
                this.setMediaState('connected');
                if (state === 'ACQUIRING_ACCESS' && this.joined) {
                    setState('CONNECTED');
                }
            } else if (peerState === 'failed' || peerState === 'closed') {
                this.setMediaState(peerState);
                this.end(state === 'CONNECTED' ? 'MEDIA_LOST' : 'MEDIA_FAILED', 'ICE/DTLS ' + peerState, 0);
            } else if (peerState === 'disconnected') {
                this.setMediaState('interrupted');
            }
        }

        setTalking(talking) {
            this.talking = talking;
            this.applyTalkState();
        }

        setMuted(muted) {
            this.muted = muted;
            this.applyTalkState();
        }

        /** Full duplex: sending unless muted. Push-to-talk: sending only while the talk button is held. */
        applyTalkState() {
            if (this.local) {
                this.local.track.enabled = this.settings.fullDuplex ? !this.muted : this.talking;
            }
            updateAudioControls();
        }

        // -------------------------------------------------------------- the end

        onClose(code, reason) {
            if (this.disconnecting) {
                this.end('CLIENT_INITIATED', '', code);
                return;
            }
            if (!this.opened) {
                this.end('CONNECT_FAILED', 'the WebSocket could not be opened (refused, wrong address, or the '
                    + 'server refused the upgrade)', code);
                return;
            }
            const detail = printable(this.endMessage && this.endMessage.message ? this.endMessage.message : reason);
            let why = CLOSE_REASONS[code];
            if (code === 1006) {
                why = 'CONNECTION_LOST';
            } else if (!why) {
                why = this.endMessage ? (END_REASONS[this.endMessage.reason] || 'SESSION_ENDED') : 'SESSION_ENDED';
            }
            this.end(why, detail, code);
        }

        /** Leaves the channel and closes the socket; the close (or a short wait) ends the attempt. */
        disconnect() {
            if (this.ended || this.disconnecting) {
                return;
            }
            this.disconnecting = true;
            setState('DISCONNECTING');
            this.releaseMedia();
            if (this.ws && this.ws.readyState === WebSocket.OPEN) {
                if (this.joined) {
                    this.send({type: 'leave', requestId: nextRequestId(), channelId: this.settings.channel});
                }
                this.ws.close(1000, 'Disconnect');
                this.later(CLOSE_WAIT_MS, () => this.end('CLIENT_INITIATED', '', 0));
            } else {
                this.end('CLIENT_INITIATED', '', 0);
            }
        }

        releaseMedia() {
            if (this.pc) {
                this.pc.ontrack = null;
                this.pc.onconnectionstatechange = null;
                this.pc.close();
                this.pc = null;
            }
            for (const node of [this.rxSource, this.txSource]) {
                if (node) {
                    node.disconnect();
                }
            }
            this.rxSource = this.rxAnalyser = this.txSource = this.txAnalyser = null;
            if (this.local) {
                this.local.release();
                this.local = null;
            } else if (this.localAudio) {
                this.localAudio.then((local) => local.release(), () => {});
            }
            this.localAudio = null;
            this.remoteStream = null;
            $('remote-audio').srcObject = null;
            if (!['off', 'unavailable', 'failed'].includes(this.mediaState)) {
                this.setMediaState('closed');
            }
        }

        /** The one way out: releases everything and records why. */
        end(reason, detail, code) {
            if (this.ended) {
                return;
            }
            this.ended = true;
            for (const timer of this.timers) {
                window.clearTimeout(timer);
                window.clearInterval(timer);
            }
            this.timers.clear();
            this.releaseMedia();
            if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) {
                this.ws.close(1000, reason === 'CLIENT_INITIATED' ? 'Disconnect' : 'Client ending');
            }
            const base = REASON_MESSAGES[reason] || reason;
            const message = detail ? (base ? base + ': ' + detail : detail) : base;
            lastDisconnect = {reason, code: code || 0, message};
            $('last-disconnect').textContent = reason + (message ? ' - ' + message : '');
            if (current === this) {
                current = null;
            }
            renderParticipants();
            setState(reason === 'CLIENT_INITIATED' ? 'DISCONNECTED' : 'ERROR');
        }
    }

    // ------------------------------------------------------------------ audio helpers

    /**
     * The audio to send: the microphone, or a WebAudio oscillator's stream. Resolves to {stream, track, release()}.
     */
    async function acquireLocalAudio(settings) {
        if (settings.source === 'tone') {
            const context = ensureAudioContext();
            const oscillator = context.createOscillator();
            oscillator.frequency.value = settings.freq;
            const gain = context.createGain();
            gain.gain.value = TONE_GAIN;
            const destination = context.createMediaStreamDestination();
            oscillator.connect(gain);
            gain.connect(destination);
            oscillator.start();
            if (context.state !== 'running') {
                log('the browser holds audio until you interact with the page: the tone may be silent');
            }
            const track = destination.stream.getAudioTracks()[0];
            return {
                stream: destination.stream, track,
                release() {
                    oscillator.stop();
                    oscillator.disconnect();
                    gain.disconnect();
                    track.stop();
                },
            };
        }
        const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: false});
        const track = stream.getAudioTracks()[0];
        return {
            stream, track,
            release() {
                stream.getTracks().forEach((t) => t.stop());
            },
        };
    }

    function newAnalyser(context, fftSize) {
        const analyser = context.createAnalyser();
        analyser.fftSize = fftSize;
        analyser.smoothingTimeConstant = 0;
        return analyser;
    }

    /** Resolves when ICE gathering is complete, or after timeoutMs (the offer then carries what was gathered). */
    function iceGatheringComplete(pc, timeoutMs) {
        if (pc.iceGatheringState === 'complete') {
            return Promise.resolve();
        }
        return new Promise((resolve) => {
            const timer = window.setTimeout(done, timeoutMs);
            function done() {
                window.clearTimeout(timer);
                pc.removeEventListener('icegatheringstatechange', check);
                resolve();
            }
            function check() {
                if (pc.iceGatheringState === 'complete') {
                    done();
                }
            }
            pc.addEventListener('icegatheringstatechange', check);
        });
    }

    function rms(analyser) {
        const samples = new Float32Array(analyser.fftSize);
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) {
            sum += sample * sample;
        }
        return Math.sqrt(sum / samples.length);
    }

    /** The frequency of the strongest FFT bin (20 Hz to 20 kHz), refined by parabolic interpolation. */
    function peakFrequency(analyser, sampleRate) {
        const bins = new Float32Array(analyser.frequencyBinCount);
        analyser.getFloatFrequencyData(bins);
        const binHz = sampleRate / analyser.fftSize;
        const first = Math.max(1, Math.ceil(20 / binHz));
        const last = Math.min(bins.length - 2, Math.floor(20000 / binHz));
        let best = first;
        for (let i = first; i <= last; i++) {
            if (bins[i] > bins[best]) {
                best = i;
            }
        }
        const a = bins[best - 1];
        const b = bins[best];
        const c = bins[best + 1];
        const denominator = a - 2 * b + c;
        const shift = Number.isFinite(denominator) && denominator !== 0 ? 0.5 * (a - c) / denominator : 0;
        return (best + Math.max(-0.5, Math.min(0.5, shift))) * binHz;
    }

    function updateMeters() {
        const connection = current;
        if (connection && connection.rxAnalyser && audioContext) {
            meters.received = rms(connection.rxAnalyser);
            meters.receivedPeakHz = meters.received >= SILENCE_RMS
                ? peakFrequency(connection.rxAnalyser, audioContext.sampleRate) : null;
        } else {
            meters.received = 0;
            meters.receivedPeakHz = null;
        }
        meters.sent = connection && connection.txAnalyser ? rms(connection.txAnalyser) : 0;
        $('received-level').value = Math.min(1, meters.received * 2);
        $('received-peak').textContent = meters.receivedPeakHz === null ? ''
            : Math.round(meters.receivedPeakHz) + ' Hz';
        $('sent-level').value = Math.min(1, meters.sent * 2);
    }

    // ------------------------------------------------------------------ rendering and controls

    function renderParticipants() {
        const list = $('participants');
        const participants = current ? Array.from(current.participants.values()) : [];
        list.replaceChildren(...participants.map((participant) => {
            const item = document.createElement('li');
            item.textContent = describeParticipant(participant) + (participant.self ? ' (you)' : '');
            if (participant.self) {
                item.classList.add('self');
            }
            return item;
        }));
        $('participant-count').textContent = String(participants.length);
    }

    function describeParticipant(participant) {
        if (!participant) {
            return '?';
        }
        const name = printable(participant.name);
        const userId = printable(participant.userId);
        return name ? name + ' (' + userId + ')' : userId;
    }

    function updateAudioControls() {
        const connection = current;
        const sending = !!(connection && connection.local);
        const fullDuplex = !!(connection && connection.settings.fullDuplex);
        const talk = $('talk');
        const mute = $('mute');
        talk.disabled = !sending || fullDuplex;
        mute.disabled = !sending || !fullDuplex;
        talk.classList.toggle('active', sending && !fullDuplex && connection.talking);
        talk.textContent = sending && !fullDuplex && connection.talking ? 'Talking' : 'Hold to talk';
        const muted = sending && fullDuplex && connection.muted;
        mute.setAttribute('aria-pressed', String(muted));
        mute.textContent = muted ? 'Unmute' : 'Mute';
    }

    /** Text from the network, made safe to show: a string without control characters, at most 200 characters. */
    function printable(value) {
        if (value === undefined || value === null) {
            return '';
        }
        return String(value).replace(/[\u0000-\u001f\u007f]/g, ' ').substring(0, 200);
    }

    function describe(error) {
        if (!error) {
            return 'unknown error';
        }
        return error.name && error.message ? error.name + ': ' + error.message : String(error.message || error);
    }

    // ------------------------------------------------------------------ the form

    function defaultServer() {
        const meta = document.querySelector('meta[name="alo-audio-path"]');
        let path = meta ? meta.content : '/audio';
        if (!path || path.includes('{{')) {
            path = '/audio';
        }
        return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
    }

    function readSettings() {
        const freq = Number($('freq').value);
        return {
            server: $('server').value.trim(),
            user: $('user').value.trim(),
            name: $('name').value.trim(),
            token: $('token').value.trim(),
            channel: $('channel').value.trim(),
            channelName: $('channel-name').value.trim(),
            fullDuplex: $('full-duplex').checked,
            source: $('source').value === 'tone' ? 'tone' : 'mic',
            freq: Number.isFinite(freq) && freq >= 20 && freq <= 20000 ? freq : 660,
        };
    }

    function connect() {
        if (current) {
            return;
        }
        const settings = readSettings();
        const missing = ['server', 'user', 'token', 'channel'].filter((key) => !settings[key]);
        if (missing.length > 0) {
            lastDisconnect = {reason: 'CONNECT_FAILED', code: 0, message: 'Missing ' + missing.join(', ')};
            $('last-disconnect').textContent = lastDisconnect.message;
            log(lastDisconnect.message);
            return;
        }
        if (!/^wss?:\/\//.test(settings.server)) {
            lastDisconnect = {reason: 'CONNECT_FAILED', code: 0,
                message: 'The server must be a ws:// or wss:// URL'};
            $('last-disconnect').textContent = lastDisconnect.message;
            log(lastDisconnect.message);
            return;
        }
        ensureAudioContext(); // inside the click when a person connects, so the browser lets audio play
        current = new Connection(settings);
        current.start();
    }

    /**
     * Prefills the form from the URL: every field from the #fragment, the non-secret ones also from ?query. The token
     * only from the fragment; the fragment is then removed from the address bar and the history entry.
     */
    function prefill() {
        const fragment = new URLSearchParams(location.hash.length > 1 ? location.hash.substring(1) : '');
        const query = new URLSearchParams(location.search);
        const value = (key, secret) => fragment.has(key) ? fragment.get(key) : (secret ? null : query.get(key));
        const set = (id, text) => {
            if (text !== null && text !== undefined) {
                $(id).value = text;
            }
        };
        set('server', value('server', false) || defaultServer());
        set('user', value('user', false));
        set('name', value('name', false));
        set('token', value('token', true));
        set('channel', value('channel', false));
        set('channel-name', value('channelName', false));
        set('freq', value('freq', false));
        const fullDuplex = value('fullDuplex', false);
        if (fullDuplex !== null) {
            $('full-duplex').checked = fullDuplex === '1' || fullDuplex === 'true';
        }
        const source = value('src', false);
        if (source === 'tone' || source === 'mic') {
            $('source').value = source;
        }
        if (location.hash) {
            history.replaceState(null, '', location.pathname + location.search);
        }
        return value('auto', false) === '1';
    }

    function wireControls() {
        $('connect-form').addEventListener('submit', (event) => {
            event.preventDefault();
            connect();
        });
        $('disconnect').addEventListener('click', () => {
            if (current) {
                current.disconnect();
            }
        });
        const talk = $('talk');
        const setTalking = (talking) => {
            if (current && current.local && !current.settings.fullDuplex) {
                current.setTalking(talking);
            }
        };
        talk.addEventListener('pointerdown', (event) => {
            try {
                talk.setPointerCapture(event.pointerId); // releasing outside the button still ends the talk
            } catch (e) {
                // a pointer the browser does not track (a synthetic event): no capture, talk anyway
            }
            setTalking(true);
        });
        for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
            talk.addEventListener(type, () => setTalking(false));
        }
        const typing = (event) => event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
        document.addEventListener('keydown', (event) => {
            if (event.code === 'Space' && !event.repeat && !typing(event) && current && current.local
                && !current.settings.fullDuplex) {
                event.preventDefault();
                setTalking(true);
            }
        });
        document.addEventListener('keyup', (event) => {
            if (event.code === 'Space' && !typing(event)) {
                setTalking(false);
            }
        });
        window.addEventListener('blur', () => setTalking(false));
        $('mute').addEventListener('click', () => {
            if (current && current.local && current.settings.fullDuplex) {
                current.setMuted(!current.muted);
            }
        });
        window.addEventListener('pagehide', () => {
            if (current) {
                current.disconnect();
            }
        });
    }

    // ------------------------------------------------------------------ what tests read

    function status() {
        const connection = current;
        return {
            state,
            mediaState,
            channelId: connection && connection.joined ? connection.settings.channel : null,
            sessionId: connection ? connection.sessionId : null,
            capabilities: connection ? connection.capabilities.slice() : [],
            participants: connection ? Array.from(connection.participants.values(), (p) => ({...p})) : [],
            receivedLevel: meters.received,
            receivedPeakHz: meters.receivedPeakHz,
            sentLevel: meters.sent,
            talking: !!(connection && connection.talking),
            muted: !!(connection && connection.muted),
            lastDisconnect: lastDisconnect ? {...lastDisconnect} : null,
        };
    }

    window.aloConsole = Object.freeze({version: VERSION, status});

    wireControls();
    const auto = prefill();
    updateAudioControls();
    window.setInterval(updateMeters, METER_INTERVAL_MS);
    if (auto) {
        connect();
    }
})();
