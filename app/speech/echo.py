"""Acoustic echo cancellation: the speaker output is the reference removed from the microphone.

1. Echo path: the echo arrives some tens to hundreds of ms after we wrote it (device buffers,
   the room). A cross-correlation over the last second finds that delay while we speak. A path is
   cancelled as soon as it is found, but the barge-in guard believes in it only once it is
   confirmed by the echo alone: no echo path (a headset), no guard.
2. A frequency-domain adaptive filter (overlap-save block NLMS, 40 ms blocks, numpy) on the
   delay-aligned reference removes the echo path's gain and reverb. Adaptation freezes when the
   residual is much louder than the echo estimate and does not follow our output (the user
   talking over us). Its residual is what we listen to: it keeps every word of a user talking over
   us (measured on our voice: Whisper recalled 100 % of them at 0.3-0.8 gain, 20-120 ms).
3. A second opinion for the guard: WebRTC's AEC3 (speech/aec_webrtc.py) runs on the same audio.
   It removes an echo alone almost entirely, and what share of the microphone it keeps tells the
   user from our echo far better than our residual does; it is believed once it has shown that
   on this path, and only where our filter has not let echo through.

The filter state is an explicit object with reset(), allocated once.
"""

from __future__ import annotations

import numpy as np

from presence.speech.aec_webrtc import LEAD_FROM as AEC3_LEAD_FROM
from presence.speech.aec_webrtc import open_webrtc_aec

BLOCK = 640  # 40 ms: filter length and block size of the adaptive filter
MAX_DELAY = 9600  # 600 ms of bulk delay searched (live: device buffers, which grow after underruns)
MIN_PATH_COEFFICIENT = 0.15  # normalised mic/reference correlation that counts as an echo path
# ...which is cancelled at once but guarded against only once confirmed: heard clearly by itself
# (measured on our voice: an echo alone 0.55-1.0, with room reverb too; a user's words that happen
# to resemble ours over a second 0.16-0.17, which once kept a spoken "stop" out as "echo" for 1.2 s)
CONFIRM_PATH_COEFFICIENT = 0.4
CONFIRM_ERLE_DB = 6.0  # ...or its filter removes this much of what the microphone heard
PATH_PARTS = 4  # ...and it must hold in every part of the window where we played (see _explains_window)
RESIDUAL_ECHO_COEFFICIENT = 0.4  # a residual this correlated with our output is echo, not the user
# (measured live: echo that got through 0.6-0.99, the user's voice against our speech 0.0-0.2)
RESIDUAL_SEARCH = 4800  # lags searched around the path's delay for that (300 ms each way)
CONVERGED_ERLE_DB = 10.0  # from here on the filter's echo estimate is trusted by the barge-in guard
MAX_CREDITED_ERLE_DB = 20.0  # the guard credits a filter no more: one fitted on a short word ("Um.")
# misses other sounds (measured in replay: pure echo rose to 7x a 30 dB estimate at a new sentence's
# start, 2.2x a 20 dB one, while the user talking over us stayed >= 2x either)
START_TAPS_BEFORE, START_TAPS_AFTER = 16, 48  # taps fitted around a new path's peak (resampling smears it)
PEAK_MARGIN, PEAK_MARGIN_AFTER = 64, 320  # a path's peak may wander this far inside the filter's taps
HISTORY = 16000 + MAX_DELAY + BLOCK  # reference kept for alignment
# The second opinion (WebRTC AEC3, speech/aec_webrtc.py) is believed once it has removed this much of
# echo alone on this path (measured: 50-70 dB on our voice; it fails silently past its delay range)
SECOND_OPINION_TRUST_DB = 20.0
ECHO_ALONE_COEFFICIENT = 0.5  # a second of microphone this correlated with our output is mostly our echo
AEC3_LEAK_SHARE = 0.05  # AEC3 keeping this much of an echo our own filter fails on has lost the path too
PATH_MOVE = 32  # samples (2 ms): a path whose peak moved more has moved (resampling jitters it by less)
# After a confirmed path moved (live: a gap in playback, a device buffer that grew; measured on the
# PulseAudio loopback: jumps of 5-140 ms several times a minute), neither filter has followed it for a
# while (ours left 0-8 dB, AEC3 kept up to 80 % of the echo): for this long only a user louder
# than all of the echo is heard over it
SETTLE_SAMPLES = 16000
FAILING_ERLE_DB = 3.0  # our filter removing less than this is not following the path


class EchoCanceller:
    def __init__(self, step: float = 0.3, max_delay_samples: int = MAX_DELAY, second_opinion: bool = True) -> None:
        self._mu = step
        self._max_delay = max_delay_samples
        self._ref = np.zeros(HISTORY, np.float32)  # newest sample last
        self._mic_hist = np.zeros(16000, np.float32)
        self._w = np.zeros(2 * BLOCK, np.complex128)
        self._power = np.full(BLOCK + 1, -1.0)  # negative: not yet measured
        self._x_prev = np.zeros(BLOCK)
        self.delay_samples = 0
        self._delay_peak = -1
        self._delay_confidence = 0.0  # normalised correlation of the current path
        self._confirmed = False  # the microphone has been found to hear our speaker beyond doubt
        self._measured_erle_db = 0.0  # the ERLE the blocks measured on this path (not the start fit's)
        self._erle_db = 0.0
        self.echo_rms = 0.0  # echo estimate of the last chunk (for the barge-in guard)
        self._path_gain = 0.0  # echo level / reference level of the current path
        self._recent_ref_rms = 0.0  # what we played within the delay range of this chunk
        self._residual_echo_coefficient = 0.0  # how much the residual still looks like our output
        self.residual_rms = 0.0
        self._window_coefficient = 0.0  # the last second's correlation with our output at its best lag
        self._aec3 = open_webrtc_aec() if second_opinion else None
        self._aec3_lead = 0  # reference delay handed to AEC3 ready-made (past its own delay range)
        self._aec3_kept = 1.0  # share of the microphone AEC3 kept in the last chunk
        self._aec3_kept_rms = 0.0  # ...and its level
        self._aec3_erle_db = 0.0  # what AEC3 removes of our echo on this path (its trust)
        self._mic_rms = 0.0
        self._clock = 0  # samples processed
        self._moved_at = -SETTLE_SAMPLES  # when the confirmed path last moved

    def reset(self) -> None:
        self._ref[:] = 0.0
        self._mic_hist[:] = 0.0
        self._w[:] = 0.0
        self._power[:] = -1.0
        self._x_prev[:] = 0.0
        self.delay_samples, self._delay_peak, self._delay_confidence = 0, -1, 0.0
        self._confirmed, self._measured_erle_db = False, 0.0
        self._erle_db = 0.0
        self.echo_rms = self.residual_rms = 0.0
        self._path_gain = self._recent_ref_rms = self._residual_echo_coefficient = 0.0
        self._window_coefficient = 0.0
        if self._aec3 is not None:
            self._aec3.reset()
        self._aec3_lead, self._aec3_kept, self._aec3_erle_db = 0, 1.0, 0.0
        self._aec3_kept_rms = self._mic_rms = 0.0
        self._clock, self._moved_at = 0, -SETTLE_SAMPLES

    @property
    def expected_residual_rms(self) -> float:
        """Echo left after cancellation, from the measured echo return loss enhancement (ERLE).

        Zero without a confirmed echo path (a headset; a path must be heard clearly, so the user's
        voice does not make one). A confirmed path counts even while the filter removes little
        (live playback that glitched): then nearly all of the echo is still there to guard against.
        """
        if not self.has_echo_path:
            return 0.0
        if self.path_settling:
            return self._path_gain * self._recent_ref_rms
        if self._residual_echo_coefficient >= RESIDUAL_ECHO_COEFFICIENT:
            # what is left still follows what we played (the path moved): all of it may be echo,
            # but no more than the echo itself (measured on live sessions: leaks up to 2.6x this
            # estimate of it), so a residual far louder than that also holds the user's voice
            return min(self.residual_rms, self._path_gain * self._recent_ref_rms)
        converged = self._erle_db >= CONVERGED_ERLE_DB
        erle_db = float(np.clip(self._erle_db, 0.0, MAX_CREDITED_ERLE_DB)) if converged else 0.0
        # the filter's own estimate misses echo it does not model (a tail, a delay that just moved),
        # so it is bounded below by what we played lately times the path's gain; a converged
        # filter earns its measured ERLE off that bound
        bound = self._path_gain * self._recent_ref_rms * 10 ** (-erle_db / 20.0)
        return max(self.echo_rms * 10 ** (-erle_db / 20.0), bound)

    @property
    def has_echo_path(self) -> bool:
        """The microphone has been found to hear our speaker (kept once found: laptop speakers).

        A path is confirmed by the echo alone: a clear correlation, or a filter that removes a real
        share of what the microphone heard. A weaker path is cancelled but not guarded against:
        without an echo nothing the user says may be taken for one.
        """
        return self._confirmed

    @property
    def echo_free_share(self) -> float | None:
        """Share of the microphone's level that WebRTC's AEC3 kept as not echo in the last chunk.

        Near 0 for an echo alone (at most 0.025 measured), 0.36 and more at a user's first voiced
        tick over our echo. None where AEC3 is not installed or has not yet shown on this path that
        it removes the echo alone (then the residual-echo estimate decides alone).
        """
        if self._aec3 is None or self._aec3_erle_db < SECOND_OPINION_TRUST_DB:
            return None
        # ...of the microphone, or of all of the echo expected when that is louder: a near-silent
        # chunk while we play (a gap in playback, the end of a word) is no user, whatever share
        # of it AEC3 keeps (measured live: 42 % of a chunk at 0.002 rms)
        return self._aec3_kept_rms / max(self._mic_rms, self._path_gain * self._recent_ref_rms, 1e-6)

    @property
    def residual_follows_output(self) -> bool:
        """What the filter left still looks like what we played: echo got past it."""
        return self._residual_echo_coefficient >= RESIDUAL_ECHO_COEFFICIENT

    @property
    def path_settling(self) -> bool:
        """The confirmed path moved within the last second: neither filter has surely followed it yet."""
        return self._clock - self._moved_at < SETTLE_SAMPLES

    @property
    def reference_active(self) -> bool:
        return float(np.abs(self._ref[-(self._max_delay + 3200):]).max()) > 1e-4

    def process(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """Residual of mic after removing the echo of `played` (what the speaker played meanwhile)."""
        n = len(mic)
        self._clock += n
        self._ref = np.roll(self._ref, -len(played))
        self._ref[-len(played):] = played
        self._mic_hist = np.roll(self._mic_hist, -n)
        self._mic_hist[-n:] = mic
        self._recent_ref_rms = float(np.sqrt(np.mean(self._ref[-(n + self._max_delay):] ** 2)))
        mic_rms = self._mic_rms = float(np.sqrt(np.mean(mic ** 2)))
        self._second_opinion(mic, mic_rms)
        if not self.reference_active:
            self.echo_rms, self.residual_rms = 0.0, mic_rms
            return mic
        self._update_delay()  # every call: live delays jump (device buffers grow after an underrun)
        if self._delay_peak < 0:
            # no echo path found (a headset, or speakers the mic does not hear): nothing to cancel,
            # and adapting anyway would only learn the user's voice
            self.echo_rms, self.residual_rms = 0.0, mic_rms
            return mic
        d = self.delay_samples
        ref = self._ref[len(self._ref) - n - d: len(self._ref) - d].astype(np.float64)
        out = np.empty(n, np.float64)
        echo = np.empty(n, np.float64)
        for i in range(0, n - n % BLOCK, BLOCK):
            out[i:i + BLOCK], echo[i:i + BLOCK] = self._block(ref[i:i + BLOCK], mic[i:i + BLOCK].astype(np.float64))
        rest = n % BLOCK
        if rest:
            out[n - rest:] = mic[n - rest:]
            echo[n - rest:] = 0.0
        self.echo_rms = float(np.sqrt(np.mean(echo ** 2)))
        self.residual_rms = float(np.sqrt(np.mean(out ** 2)))
        self._confirmed = self._confirmed or self._measured_erle_db >= CONFIRM_ERLE_DB
        self._residual_echo_coefficient = self._correlation_with_output(out)
        self._judge_second_opinion(mic_rms)
        return out.astype(np.float32)

    def _second_opinion(self, mic: np.ndarray, mic_rms: float) -> None:
        """AEC3 on this chunk (every chunk, so its own state follows the stream)."""
        if self._aec3 is None:
            return
        n, lead = len(mic), self._aec3_lead
        far = self._ref[len(self._ref) - n - lead: len(self._ref) - lead]
        kept = self._aec3.process(mic, far).astype(np.float64)
        self._aec3_kept_rms = float(np.sqrt(np.mean(kept ** 2)))
        self._aec3_kept = self._aec3_kept_rms / mic_rms if mic_rms > 1e-6 else 1.0

    def _judge_second_opinion(self, mic_rms: float) -> None:
        """Trust AEC3 by what it removes of our echo; hand it a delay it cannot find itself.

        Earned on chunks that are mostly our echo (the last second follows our output closely,
        or our filter removed most of the chunk, or what it left follows our output); lost at
        once when our own filter fails on echo that AEC3 keeps a real share of: the path moved
        (live, after a gap in playback) and AEC3 is re-finding it too (measured live: it kept
        17-80 % of such echo). A path that moved is also why the guard asks for both opinions
        for a second (path_settling).
        """
        if self._aec3 is None or not self._confirmed:
            return
        lead = 0 if self.delay_samples <= AEC3_LEAD_FROM else (self.delay_samples - 1600) // 1600 * 1600
        if lead != self._aec3_lead:
            self._aec3.reset()
            self._aec3_lead, self._aec3_erle_db = lead, 0.0
            return
        if mic_rms < 1e-3:
            return
        removed_db = float(-20.0 * np.log10(max(self._aec3_kept, 1e-4)))
        leaking = self._residual_echo_coefficient >= RESIDUAL_ECHO_COEFFICIENT
        if leaking and self._erle_db < FAILING_ERLE_DB and self._aec3_kept >= AEC3_LEAK_SHARE:
            self._aec3_erle_db = min(self._aec3_erle_db, removed_db)
        elif leaking or self._window_coefficient >= ECHO_ALONE_COEFFICIENT or self.residual_rms < 0.3 * mic_rms:
            first = self._aec3_erle_db <= 0.0
            self._aec3_erle_db = removed_db if first else 0.7 * self._aec3_erle_db + 0.3 * removed_db

    def _correlation_with_output(self, residual: np.ndarray) -> float:
        """Largest normalised correlation of the residual with what we played, near the path's delay.

        Near 1 when echo got through (a live delay jump the filter has not followed yet); low
        when the residual is the user's voice, which our output does not predict.
        """
        energy = float(np.dot(residual, residual))
        if energy < 1e-8 or self._delay_peak < 0:
            return 0.0
        n = len(residual)
        ref = self._ref[-(n + self._max_delay):].astype(np.float64)
        lags = _lagged_correlation(ref, residual, self._max_delay)
        running = np.concatenate([[0.0], np.cumsum(ref ** 2)])
        window = (running[n:] - running[:-n])[::-1][:self._max_delay + 1]  # reference energy at each lag
        lo, hi = max(0, self._delay_peak - RESIDUAL_SEARCH), self._delay_peak + RESIDUAL_SEARCH + 1
        return float(np.max(np.abs(lags[lo:hi]) / np.sqrt(energy * window[lo:hi] + 1e-12)))

    def _block(self, x: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        big_x = np.fft.rfft(np.concatenate([self._x_prev, x]))
        self._x_prev = x
        w = self._w[:BLOCK + 1]
        y = np.fft.irfft(big_x * w)[BLOCK:]
        e = d - y
        e_pow, y_pow = float(np.mean(e ** 2)), float(np.mean(y ** 2))
        x_pow = np.abs(big_x) ** 2
        self._power = x_pow if self._power[0] < 0 else 0.9 * self._power + 0.1 * x_pow
        d_pow = float(np.mean(d ** 2))
        double_talk = (self._erle_db > 10.0 and e_pow > 4.0 * y_pow * 10 ** (-self._erle_db / 10.0)
                       and self._residual_echo_coefficient < RESIDUAL_ECHO_COEFFICIENT)
        if d_pow > 1e-8 and not double_talk:
            block_erle = 10.0 * np.log10(d_pow / (e_pow + 1e-12))
            self._erle_db = 0.9 * self._erle_db + 0.1 * block_erle
            self._measured_erle_db = 0.9 * self._measured_erle_db + 0.1 * block_erle
        # once converged, a residual much louder than the expected residual echo is the user talking:
        # freeze, so their voice does not teach the filter
        if not double_talk:
            big_e = np.fft.rfft(np.concatenate([np.zeros(BLOCK), e]))
            # regularised per-bin normalisation: quiet bins of speech must not get huge steps
            norm = self._power + 0.1 * float(np.mean(self._power)) + 1e-6
            grad = np.fft.irfft(np.conj(big_x) * big_e / norm)
            grad[BLOCK:] = 0.0  # keep the filter causal and BLOCK taps long
            self._w[:BLOCK + 1] = w + self._mu * np.fft.rfft(grad)
        if e_pow > d_pow:
            # cancelling made it louder: the filter (or a spurious path found in the user's own voice)
            # would inject our speech into a quiet microphone; pass the microphone through instead
            if self._erle_db < -3.0:  # a wrong filter: start it over, and let the next path estimate replace it
                self._w[:], self._erle_db, self._delay_confidence = 0.0, 0.0, 0.0
            return d, np.zeros_like(y)
        return e, y

    def _update_delay(self) -> None:
        """Re-estimate the bulk delay by cross-correlating mic and reference over the last second.

        A path counts only when the correlation is a real share of both signals' energy at that
        lag (normalised coefficient), not merely a peak over a near-empty correlation: right after
        we start speaking the mic window holds the user's voice and the echo has not arrived yet.
        """
        mic = self._mic_hist - self._mic_hist.mean()
        mic_energy = float(np.dot(mic, mic))
        self._window_coefficient = 0.0
        if mic_energy < 1e-6:
            return
        ref = self._ref[-(len(mic) + self._max_delay):]
        lags = _lagged_correlation(ref, mic, self._max_delay)
        peak = int(np.argmax(np.abs(lags)))
        aligned = ref[len(ref) - len(mic) - peak: len(ref) - peak]
        coefficient = float(np.abs(lags[peak]) / np.sqrt(mic_energy * float(np.dot(aligned, aligned)) + 1e-12))
        self._window_coefficient = coefficient
        if coefficient < MIN_PATH_COEFFICIENT or not _explains_window(mic, aligned, lags[peak]):
            return
        if coefficient > self._delay_confidence * 0.8 or abs(peak - self._delay_peak) < 160:
            new_path = abs(peak - self._delay_peak) > 80
            if abs(peak - self._delay_peak) > PATH_MOVE and self._confirmed:
                self._moved_at = self._clock
            self._delay_peak = peak
            self._delay_confidence = coefficient
            self._confirmed = self._confirmed or coefficient >= CONFIRM_PATH_COEFFICIENT
            if new_path:
                self.delay_samples = max(0, peak - BLOCK // 4)
                self._measured_erle_db = 0.0
                self._start_filter(mic, ref, peak)
            else:
                self._follow(peak)

    def _follow(self, peak: int) -> None:
        """The same path, its peak moved a little: keep the filter aligned with the echo.

        The correlation peak of a reverberant path jitters by a few samples from one second to the
        next; moving the reference under a fitted filter by even 3 samples turns its cancellation
        above ~500 Hz into added noise. While the peak stays well inside the filter's taps the
        reference stays put; otherwise the reference moves and the taps move with it.
        """
        if PEAK_MARGIN <= peak - self.delay_samples <= BLOCK - PEAK_MARGIN_AFTER:
            return
        shift = int(np.clip(max(0, peak - BLOCK // 4) - self.delay_samples, 1 - BLOCK, BLOCK - 1))
        taps = np.fft.irfft(self._w[:BLOCK + 1], 2 * BLOCK)[:BLOCK]
        moved = np.zeros(2 * BLOCK)
        if shift >= 0:
            moved[:BLOCK - shift] = taps[shift:]
        else:
            moved[-shift:BLOCK] = taps[:BLOCK + shift]
        self._w[:] = 0.0
        self._w[:BLOCK + 1] = np.fft.rfft(moved)
        self.delay_samples += shift

    def _start_filter(self, mic: np.ndarray, ref: np.ndarray, peak: int) -> None:
        """A new echo path: start the filter with a least-squares fit of the taps around its peak.

        The adaptive filter alone needs ~1.5 s of our speech to converge; this start removes most
        of a direct echo from the first block on, so the start of a reply cannot interrupt itself.
        """
        lags = np.arange(max(self.delay_samples, peak - START_TAPS_BEFORE),
                         min(self._max_delay, peak + START_TAPS_AFTER) + 1)
        x = np.stack([ref[len(ref) - len(mic) - lag: len(ref) - lag] for lag in lags], axis=1).astype(np.float64)
        gram = x.T @ x
        gram[np.diag_indices_from(gram)] += 1e-3 * float(np.trace(gram)) / len(lags) + 1e-9
        fitted = np.linalg.solve(gram, x.T @ mic)
        taps = np.zeros(2 * BLOCK)
        taps[lags - self.delay_samples] = fitted
        self._w[:] = 0.0
        self._w[:BLOCK + 1] = np.fft.rfft(taps)
        # the guard needs to know at once how much echo is left, not after the ERLE average settles
        echo = x @ fitted
        where = np.abs(echo) > 0.1 * float(np.abs(echo).max() + 1e-12)
        residual = float(np.sum((mic - echo)[where] ** 2)) + 1e-12
        self._erle_db = float(np.clip(10.0 * np.log10(float(np.sum(mic[where] ** 2)) / residual + 1e-12), 0.0, 30.0))
        gain = float(np.sqrt(np.sum(echo ** 2) / (np.sum(x[where, lags == peak] ** 2) + 1e-12)))
        # a confirmed path that moved is as loud as before (the delay changed, not the speakers);
        # a fit on a moment of the move can find it much weaker (measured live: 3x at 0.3 correlation)
        self._path_gain = max(gain, self._path_gain) if self._confirmed else gain


def _explains_window(mic: np.ndarray, aligned: np.ndarray, correlation: float) -> bool:
    """Whether the path holds wherever we played in the window, not only in one stretch of it.

    An echo follows everything we played. A chance alignment is one stretch of the user's voice
    that resembles our speech (measured: the same synthetic voice talking over us gave 0.28-0.45
    at a wrong lag, from the 200 ms it had spoken); where we played before that, the microphone
    heard nothing like it. Each part of the window with a real share of the reference energy must
    correlate with the same sign at half the strength the whole window does.
    """
    parts = len(mic) // PATH_PARTS
    ref_energy = [float(np.dot(aligned[i * parts:(i + 1) * parts], aligned[i * parts:(i + 1) * parts]))
                  for i in range(PATH_PARTS)]
    whole = abs(correlation) / np.sqrt(float(np.dot(mic, mic)) * sum(ref_energy) + 1e-12)
    for i, energy in enumerate(ref_energy):
        if energy < 0.1 * max(ref_energy):
            continue  # we hardly played here: nothing to echo
        m, r = mic[i * parts:(i + 1) * parts], aligned[i * parts:(i + 1) * parts]
        part = float(np.dot(m, r)) * np.sign(correlation) / np.sqrt(float(np.dot(m, m)) * energy + 1e-12)
        if part < 0.5 * whole:
            return False
    return True


def _lagged_correlation(ref: np.ndarray, signal: np.ndarray, max_lag: int) -> np.ndarray:
    """Correlation of `signal` (the newest samples) with `ref` delayed by 0..max_lag samples.

    `ref` ends where `signal` ends and is max_lag samples longer; index k is the reference k
    samples earlier than the signal (an echo k samples late). Computed with one FFT.
    """
    size = 1 << int(np.ceil(np.log2(len(ref) + len(signal))))
    corr = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(signal, size)), size)
    return corr[:max_lag + 1][::-1]
