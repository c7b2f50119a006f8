<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AdaptiveBox</name>
    <message>
        <location filename="../console/adaptive_box.py" line="32"/>
        <source>Adaptive threshold blocks (after the other blocks, one per dimension)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="54"/>
        <source>off: always the maximum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="63"/>
        <source>Procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="64"/>
        <source>Trials per block, at most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="65"/>
        <source>Stop earlier when CI width / threshold ≤</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="66"/>
        <source>… but not before trial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="90"/>
        <source>Staircase steps: the level is multiplied or divided by {f:g}; the step is halved (in log) every {r} reversals, {h} times; threshold = geometric mean of the last {k} reversals.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="94"/>
        <source>QUEST+: Weibull threshold and slope, flat prior; next level by minimum expected entropy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="131"/>
        <source>at most {n} trials each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="133"/>
        <source>, fewer once CI width / threshold ≤ {r:g} (from trial {m})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="135"/>
        <source>1 adaptive block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="135"/>
        <source>{n} adaptive blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/adaptive_box.py" line="136"/>
        <source>{what} ({dims}; {procedure}, {rule})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AudioPage</name>
    <message>
        <location filename="../console/audio_page.py" line="31"/>
        <location filename="../console/audio_page.py" line="142"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="38"/>
        <source>A new device or channel map takes effect when the app restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="47"/>
        <source>left ear → output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="49"/>
        <source>right ear → output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="52"/>
        <source>headphone model, e.g. Sennheiser HD 650</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="54"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="55"/>
        <source>Channel map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="56"/>
        <source>Transducer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="60"/>
        <source>&amp;Headphone response…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="62"/>
        <source>A measured headphone impulse response (WAV, one channel per ear, or SOFA) of this transducer: its inverse filter flattens the headphone (docs/hrtf.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="65"/>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="72"/>
        <source>Equalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="82"/>
        <source>Sample rate: {rate} Hz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="85"/>
        <source>Safety</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="90"/>
        <source>hard maximum {m:g} dB SPL, for hearing safety</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="93"/>
        <source>Attenuate stimuli over the ceiling (otherwise refuse them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="95"/>
        <source>Off (the default): a stimulus over the ceiling is not played. On: it is played quieter and the trial stores by how many dB; a loudness item played quieter may no longer mean what it asks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="99"/>
        <source>Ceiling (hard maximum {m:g})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="105"/>
        <source>Calibration wizard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="108"/>
        <source>1. Fix the amplifier volume.  2. Put the headphone on the coupler or artificial ear.
3. Play the 1 kHz reference tone on one output.  4. Read the sound level meter (flat/Z, slow).
5. Enter the reading and save.  6. Repeat for the other ear.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="113"/>
        <source>left ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="113"/>
        <source>right ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="123"/>
        <source>sound level meter and coupler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="125"/>
        <source>initials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="128"/>
        <source>Play &amp;reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="130"/>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="132"/>
        <source>&amp;Save calibration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="143"/>
        <source>Reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="144"/>
        <source>Measured level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="145"/>
        <source>Equipment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="146"/>
        <source>Measured by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="147"/>
        <source>RETSPL table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="151"/>
        <source>Test tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="158"/>
        <source>Play test &amp;tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="165"/>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="167"/>
        <source>Meter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="192"/>
        <source>Left and right need different outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="195"/>
        <source>{name} has only {n} outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="201"/>
        <source>Saved: {name}, outputs {l} and {r}; restart the app to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="205"/>
        <source>Measured headphone response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="206"/>
        <source>Headphone measurements (*.wav *.sofa);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="216"/>
        <source>Name the transducer (headphone model) first: the equalization belongs to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="226"/>
        <source>Not used: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="229"/>
        <source>Saved for {t}: {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="231"/>
        <source>no equalization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="240"/>
        <source>Calibrated: full-scale sine = {l:.1f} / {r:.1f} dB SPL (left / right).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="246"/>
        <source>calibrated ({spl:.1f} dB SPL full-scale sine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="249"/>
        <source>Left {left}, right {right}: stimuli play at a conservative default level and every response is flagged uncalibrated until both ears are calibrated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="253"/>
        <source>UNCALIBRATED: stimuli play at a conservative default level and every response is flagged uncalibrated. Calibrate both ears for levels in dB SPL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="258"/>
        <source>{name}: inverse filter, design band {lo:g}–{hi:g} Hz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="260"/>
        <source>Headphone equalization: {label}, applied before the calibration gain and the safety check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="264"/>
        <source>none (the headphone plays unequalized)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="265"/>
        <source>none: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="266"/>
        <source>No headphone equalization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="298"/>
        <source>{label}: {level}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="300"/>
        <source>{dbfs:.1f} dBFS, uncalibrated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="302"/>
        <source>, attenuated by {db:.1f} dB by the ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="311"/>
        <source>Name the transducer (headphone model) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/audio_page.py" line="323"/>
        <source>Saved: output {ch}, {spl:.1f} dB SPL at {ref:.1f} dBFS.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsentScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="123"/>
        <source>Consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="123"/>
        <source>Please read the consent statement. You decide freely; if you do not agree, nothing is recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="128"/>
        <source>I agree to take part in this listening study. I understand that my answers are stored under a code, without my name, and sent to the lab in a results file that I send myself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="131"/>
        <source>I have read the information and I agree to take part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="135"/>
        <source>I do not agree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="136"/>
        <source>I agree (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <location filename="../console/window.py" line="48"/>
        <source>STAR Listening Lab — experimenter console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="185"/>
        <source>No audio output is available on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="54"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="54"/>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="54"/>
        <source>Participants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="54"/>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="54"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="84"/>
        <location filename="../console/window.py" line="95"/>
        <source>Connecting to the lab server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="85"/>
        <source>Opening the database…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="95"/>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="105"/>
        <source>Database: {db}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="176"/>
        <source>audio: starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="178"/>
        <source>audio: no output ({why})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="178"/>
        <source>audio: no output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="180"/>
        <source>audio: {device}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="184"/>
        <source>Audio is starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="201"/>
        <source>Lab server unreachable since {time}; {n} entries (answers, withheld and adaptive trials) waiting in this station&apos;s journal. Sessions running here go on; the console reads the server again by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="215"/>
        <source>Audio is still starting; try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="217"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/window.py" line="216"/>
        <source>No audio output: sessions cannot run here.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CoverageView</name>
    <message>
        <location filename="../console/coverage_view.py" line="49"/>
        <source>Coverage of the cover study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="62"/>
        <source>Coverage not read: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="65"/>
        <source>Coverage not read: the lab server cannot be reached ({why}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="66"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="77"/>
        <source>Reading the coverage…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="83"/>
        <source>Sub-category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="83"/>
        <source>Units</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="84"/>
        <source>{a} answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="84"/>
        <source>1 answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="85"/>
        <source>Answers given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="96"/>
        <source>{n} units not answered yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="109"/>
        <source>Every unit has its {k} answers: the study is covered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/coverage_view.py" line="112"/>
        <source>Still needed: {a} answers (each unit {k} times), about {p} participants and {h:.1f} person-hours.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeclinedScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="253"/>
        <source>You have not taken part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="254"/>
        <source>Thank you for considering the study. Nothing has been recorded and no results file was written. You can close this window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="257"/>
        <source>Close (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DesignBox</name>
    <message>
        <location filename="../console/design_box.py" line="53"/>
        <source>Design and session length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="79"/>
        <source>Session length not estimated: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="81"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="87"/>
        <source>&amp;Design</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="88"/>
        <source>Answers per run (K)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="89"/>
        <source>Session length allowed (M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="125"/>
        <source>Load a dataset to see how long a session takes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="126"/>
        <source>No session length: the protocol cannot be planned (see above).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="131"/>
        <source>Estimating the session length…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="137"/>
        <source>{s:.1f} s per answer: the median response time of {n} answered trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="140"/>
        <source>{s:g} s per answer: a fixed allowance until the study has answered trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="142"/>
        <source>{sound} min of sound, {answers}; set-up {setup:g} min; breaks: {breaks}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="145"/>
        <source>; {n} trials with a clip that could not be measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="147"/>
        <source>One session: about {m} min ({n} trials: {parts}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="151"/>
        <source>One share: about {m} min of at most {limit:g} ({t} of the {all} test units, {n} trials in all: {parts}). Every unit answered {k} times: about {p} participants.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="160"/>
        <source>Longer than the {limit:g} min a session may last: choose fewer items per sub-category or variants, the cover design, or a longer session length.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/design_box.py" line="163"/>
        <source>Even one test trial with the set-up and practice is longer than the {limit:g} min a session may last: lower the practice or raise the session length.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EndScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="268"/>
        <location filename="../takehome/screens.py" line="270"/>
        <source>Thank you!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="268"/>
        <source>You have finished. Your answers are in this file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="270"/>
        <source>You have finished, but the results file could not be written: {why}
Your answers are kept on this computer: open the study package again to write the file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="285"/>
        <source>Open the folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="293"/>
        <source>How to send it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="299"/>
        <source>Send this file to the lab as agreed with them, for example as an e-mail attachment. Do not change or unpack it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="305"/>
        <source>Close (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportFolderDialog</name>
    <message>
        <location filename="../console/export_folder.py" line="33"/>
        <source>Export into folder (type a new name to create one)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FigureView</name>
    <message>
        <location filename="../console/figure_view.py" line="43"/>
        <source>The figure {name} could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/figure_view.py" line="46"/>
        <source>Drawn: {who}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InformationScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="108"/>
        <source>About this study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="108"/>
        <source>Please read this information from the lab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="112"/>
        <source>The lab did not include study information in this package. If you have questions about the study, please ask the lab before you continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="115"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobStrip</name>
    <message>
        <location filename="../common/widgets.py" line="88"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../common/widgets.py" line="100"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../common/widgets.py" line="101"/>
        <source>server unreachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../common/widgets.py" line="119"/>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../common/widgets.py" line="120"/>
        <source>Computed at {time} in {s:.1f} s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeaderboardTable</name>
    <message>
        <location filename="../console/leaderboard_table.py" line="41"/>
        <source>{alias} {header}: the dataset&apos;s total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/leaderboard_table.py" line="42"/>
        <source>MA: the mean of the pc, tr and sr totals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/leaderboard_table.py" line="70"/>
        <source>{row}: no data for this column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/leaderboard_table.py" line="76"/>
        <source>95% crossed interval (people and items sampled) {lo:.2f} to {hi:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/leaderboard_table.py" line="79"/>
        <source>95% t interval {lo:.2f} to {hi:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageScreen</name>
    <message>
        <location filename="../participant/message_screen.py" line="25"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/message_screen.py" line="58"/>
        <source>Break: {m}:{s:02d}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OutputScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="155"/>
        <source>Headphones and sound output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="156"/>
        <source>Put on your headphones (L on the left ear) and choose where the sound goes. Then play the test sound: a tone on the left, then a tone on the right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="160"/>
        <source>Sound output:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="167"/>
        <source>▶  Play the test sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="174"/>
        <source>Where did you hear the tones?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="181"/>
        <source>First left, then right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="181"/>
        <source>First right, then left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="182"/>
        <source>On one side only, or both in the middle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="183"/>
        <source>I heard nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="197"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="210"/>
        <source>Playing… listen: the answers open when the sound has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="216"/>
        <source>Where did you hear the tones? Choose below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="238"/>
        <source>Good: the sound reaches both ears, the right way round.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="239"/>
        <source>Your headphones are on the wrong way round: put the side marked L on your left ear, then play the test sound again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="241"/>
        <source>Check that the headphone plug is pushed in all the way and that the output above is your headphones (not the computer&apos;s speakers), then play the test sound again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="243"/>
        <source>Check that your headphones are plugged in, that the computer&apos;s volume is up and not muted, and choose another output above if there is one. Then play the test sound again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PackageDialog</name>
    <message>
        <location filename="../console/package_dialog.py" line="21"/>
        <source>Take-home package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="23"/>
        <source>A package for participant {code} of study {study!r}. The texts are optional: without them the participant sees the program&apos;s short defaults.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="28"/>
        <source>Participant {code} is not in this database: writing the package adds them (their consent is given at home).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="38"/>
        <source>folder the package is written into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="39"/>
        <source>Write into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="40"/>
        <source>Study information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="40"/>
        <source>Consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="41"/>
        <source>Return instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="46"/>
        <source>none (.md for Markdown, else plain text)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="50"/>
        <source>Write package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="63"/>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="67"/>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="75"/>
        <source>Write the package into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="80"/>
        <source>Text for the participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/package_dialog.py" line="81"/>
        <source>Texts (*.md *.markdown *.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParticipantWindow</name>
    <message>
        <location filename="../participant/window.py" line="88"/>
        <source>STAR Listening Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="158"/>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="159"/>
        <source>Pause and close? Open the study package again to continue where you stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/pin_dialog.py" line="22"/>
        <source>Experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/pin_dialog.py" line="23"/>
        <location filename="../participant/pin_dialog.py" line="29"/>
        <source>PIN to leave the session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/pin_dialog.py" line="28"/>
        <source>Wrong PIN, try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="241"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="269"/>
        <source>Time for a break</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="270"/>
        <source>Rest your ears for a moment. Continue when you are ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="276"/>
        <source>Part {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="281"/>
        <source>Practice is over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="282"/>
        <source>From now on there is no feedback: you will not be told whether an answer was right. Answer as well as you can.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="291"/>
        <source>Item {id} is not in the loaded dataset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="295"/>
        <source>First you hear the whole uncut recording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="300"/>
        <source>Practice {n} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="301"/>
        <source>Question {n} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="314"/>
        <location filename="../participant/window.py" line="346"/>
        <source>Not saved yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="314"/>
        <location filename="../participant/window.py" line="346"/>
        <source>Please call the experimenter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="315"/>
        <location filename="../participant/window.py" line="347"/>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="324"/>
        <source>Correct!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="324"/>
        <source>Not quite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="325"/>
        <source>The answer was: {answer}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="54"/>
        <location filename="../participant/screening.py" line="73"/>
        <location filename="../participant/window.py" line="378"/>
        <location filename="../participant/window.py" line="389"/>
        <location filename="../participant/window.py" line="397"/>
        <source>Please call the experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="390"/>
        <source>This sound cannot be played:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="356"/>
        <location filename="../participant/window.py" line="380"/>
        <location filename="../participant/window.py" line="412"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="379"/>
        <source>This session continues on another computer. Your answers so far are saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="398"/>
        <source>The sound output stopped working. Your answers so far are saved; the session will continue at this question.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="410"/>
        <source>The results could not be written: {err}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="411"/>
        <source>Thank you!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/window.py" line="411"/>
        <source>You have finished. Thank you for taking part.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="59"/>
        <source>Headphone check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="98"/>
        <source>Sound {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="25"/>
        <location filename="../participant/screening.py" line="102"/>
        <source>Sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="60"/>
        <source>Put on your headphones. A few short checks of the headphones come first; each one starts by telling what you will hear and what to pick.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="74"/>
        <source>The headphone check cannot start. Your session is saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="109"/>
        <source>{name}: {i} of {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="122"/>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="122"/>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="123"/>
        <source>Front</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="123"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/screening.py" line="124"/>
        <source>Where does the sound come from?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="27"/>
        <source>Play the sound and set your computer&apos;s volume so that it is clearly audible and comfortable, never loud. Then keep the volume as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="30"/>
        <source>It is comfortable now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="31"/>
        <source>I cannot make it comfortable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="36"/>
        <source>Comfortable and clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="36"/>
        <source>Too loud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="37"/>
        <source>Too quiet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="48"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="49"/>
        <source>The questions start now. Take your time; there is no time limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="55"/>
        <source>Please contact the lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="56"/>
        <source>The sound needs adjusting before you continue. Your session is saved and continues here next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="59"/>
        <source>Sound level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/level_check.py" line="35"/>
        <source>How does this sound?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParticipantsPage</name>
    <message>
        <location filename="../console/participants_page.py" line="47"/>
        <source>The participant has given informed consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="50"/>
        <source>&amp;Add participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="56"/>
        <source>New participant (a code only: never a name or e-mail)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="58"/>
        <source>&amp;Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="59"/>
        <location filename="../console/participants_page.py" line="65"/>
        <source>Age band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="60"/>
        <source>Hearing (self-report)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="65"/>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="65"/>
        <source>Hearing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="66"/>
        <source>Consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="100"/>
        <source>lab, {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="102"/>
        <source>at home, {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="107"/>
        <location filename="../console/participants_page.py" line="124"/>
        <source>Confirm consent first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="120"/>
        <source>Use a code such as P007: letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos; (no spaces, no names, no e-mail).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="128"/>
        <source>{code} exists already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/participants_page.py" line="134"/>
        <source>{code} added.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlayIndicator</name>
    <message>
        <location filename="../participant/play_indicator.py" line="159"/>
        <source>Listen: {label}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/play_indicator.py" line="160"/>
        <source>Listen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/play_indicator.py" line="161"/>
        <source>Preparing the sound…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/play_indicator.py" line="161"/>
        <source>Press Play to listen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/play_indicator.py" line="162"/>
        <source>Your answer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PsychometricView</name>
    <message>
        <location filename="../console/psychometric_view.py" line="86"/>
        <source>Psychometric functions of the perception grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/psychometric_view.py" line="92"/>
        <source>Adaptive blocks: thresholds (as in thresholds.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/psychometric_view.py" line="100"/>
        <source>Not computed yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/psychometric_view.py" line="130"/>
        <source>The figure {name} could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/psychometric_view.py" line="132"/>
        <source>Drawn: {who}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../console/results_page.py" line="63"/>
        <source>Model results folder (the kit&apos;s work_dir), optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="64"/>
        <source>Import &amp;models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="66"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="68"/>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="71"/>
        <source>Export re&amp;port…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="73"/>
        <source>report.html with every figure, the tables as CSV and LaTeX, the figures as PNG and PDF, human-majority/</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="76"/>
        <source>E&amp;xclude participants who failed screening</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="78"/>
        <source>Leaves them out of the leaderboard, the figures and the exported report (a headphone-screening test below its pass mark)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="120"/>
        <source>&amp;Open report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="148"/>
        <source>Participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="148"/>
        <source>Answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="149"/>
        <source>Attenuated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="149"/>
        <source>Max dB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="150"/>
        <source>Answered trials the safety ceiling turned down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="151"/>
        <source>The largest attenuation applied to this participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="158"/>
        <source>Leaderboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="160"/>
        <source>Categories</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="160"/>
        <source>Sub-categories</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="161"/>
        <source>Human vs models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="161"/>
        <source>Variant contrasts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="162"/>
        <source>Item analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="165"/>
        <source>Not computed yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="169"/>
        <source>Psychometric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="170"/>
        <source>Participants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="187"/>
        <source>Model results (work_dir)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="221"/>
        <source>Not computed: the lab server cannot be reached now; try again when it is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="290"/>
        <source>Brackets: the human mean&apos;s 95% interval for people and items both sampled (crossed design, variance components by the method of moments), as in report.html; other rows: the t interval. Hover a cell for the exact values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="296"/>
        <source>Brackets: 95% t interval across participants (the crossed interval follows with the figures). Hover a cell for the exact values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="359"/>
        <source>Writing the report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="364"/>
        <source>Report written: {path} ({f} figures, {t} tables; {p} participants, models: {m}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="366"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="368"/>
        <source>Left out for failed screening: {codes}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="370"/>
        <source>{n} warnings, listed at the end of the report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="376"/>
        <source>No report written: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="380"/>
        <location filename="../console/results_page.py" line="386"/>
        <source>Export report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="387"/>
        <source>No program opened {path}: open it from a file manager or a browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="269"/>
        <source>{n} answered test trials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="339"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="88"/>
        <location filename="../console/results_page.py" line="96"/>
        <location filename="../console/results_page.py" line="340"/>
        <location filename="../console/results_page.py" line="357"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="213"/>
        <source>Waiting for the leaderboard…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="215"/>
        <source>Computing the results…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="225"/>
        <location filename="../console/results_page.py" line="227"/>
        <source>Not computed: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="244"/>
        <source>Drawing the figures (bootstrap resampling)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="245"/>
        <source>Drawing the report&apos;s figures…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="261"/>
        <source>Safety ceiling: none of the {n} answered trials was attenuated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="263"/>
        <source>Safety ceiling: {k} of {n} answered trials attenuated, by {mean:.1f} dB on average (at most {max:.1f} dB).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="275"/>
        <source>No answered test trial yet: nothing to draw.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="279"/>
        <source>Everyone is counted, whatever their headphone screening.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="281"/>
        <source>No participant failed screening: nobody is excluded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="282"/>
        <source>Excluded (failed screening) from the leaderboard, figures and report: {who}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="294"/>
        <source>No answered test trial yet: the rows shown are the paper&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="306"/>
        <source>Nothing to draw.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="319"/>
        <source>{numbers}; figures in {s:.1f} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="327"/>
        <source>No figures: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/results_page.py" line="342"/>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionsPage</name>
    <message>
        <location filename="../console/sessions_page.py" line="47"/>
        <source>&amp;Start or resume session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="50"/>
        <source>A&amp;bort selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="52"/>
        <source>&amp;Release share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="54"/>
        <location filename="../console/sessions_page.py" line="186"/>
        <source>Select a session of a cover study to release its share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="58"/>
        <source>&amp;Take over selected…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="59"/>
        <source>Continue here a session interrupted on another station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="61"/>
        <source>Take-home &amp;package…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="62"/>
        <source>Write a study package for this participant to run at home</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="64"/>
        <source>&amp;Import results…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="70"/>
        <source>Not read: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="71"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="79"/>
        <source>Participant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="89"/>
        <location filename="../console/sessions_page.py" line="209"/>
        <location filename="../console/sessions_page.py" line="212"/>
        <location filename="../console/sessions_page.py" line="227"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="89"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="89"/>
        <source>Participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="90"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="90"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="90"/>
        <source>Screening</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="91"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="91"/>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="91"/>
        <source>Station</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="92"/>
        <source>Last answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="140"/>
        <source>Reading the sessions…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="146"/>
        <source>paused: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="158"/>
        <location filename="../console/sessions_page.py" line="179"/>
        <source>not screened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="172"/>
        <source>Select a session to see its status and screening in full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="175"/>
        <source>, at home</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="176"/>
        <source>Session {id} ({code}, study {study!r}{where}): {status}. Screening: {screening}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="191"/>
        <source>Not offered: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="193"/>
        <source>A take-home package not returned: its share goes back to the pool; should its results still come, they are imported and their answers kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="197"/>
        <source>A cover study: give up the rest of the selected session&apos;s share; its unanswered trials go back to the pool, its answers stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="209"/>
        <source>Open a study on the Study page first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="212"/>
        <source>Add a participant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="216"/>
        <source>Audio is still starting; start the session in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="245"/>
        <source>{code} has completed this study.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="249"/>
        <source>The session of {code} is running on station {station}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="253"/>
        <source>The session of {code} was interrupted on station {station}: select it and take it over to continue it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="265"/>
        <source>Abort session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="266"/>
        <source>Abort session {id}? Its answers stay stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="277"/>
        <source>Release share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="278"/>
        <source>Release the share of session {id} ({code})? Its {left} unanswered trials go back to the pool for other participants and the session cannot be resumed; its {answered} answers stay stored and count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="281"/>
        <source>Its take-home package is not back: should its results still come, they are imported and their answers kept (some runs may then have more answers than the study asks for).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="297"/>
        <source>the experimenter at station {station}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="298"/>
        <source>the experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="300"/>
        <source>Not released: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="302"/>
        <source>Session {id} released: {n} unanswered test trials went back to the pool.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="311"/>
        <source>Select the interrupted session to take over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="325"/>
        <source>Package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="325"/>
        <source>Open a study and choose a participant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="339"/>
        <source>No package written: choose the folder to write it into.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="357"/>
        <source>No package written: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="360"/>
        <source>Package written: {path}. The participant opens it with the installed app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="361"/>
        <source>With the lab&apos;s texts: {names}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="362"/>
        <source>Without texts of the lab&apos;s own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="363"/>
        <source>Participant {code} was not in the database: added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="373"/>
        <source>Results bundles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="379"/>
        <source>{status}: {code} ({n} responses)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="382"/>
        <source>  returned after its share was released: its answers are kept and count; {n} of its runs now have more answers than the study asks for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/sessions_page.py" line="386"/>
        <source>refused: {err}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartWindow</name>
    <message>
        <location filename="../takehome/start.py" line="104"/>
        <source>STAR Listening Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="108"/>
        <source>Getting your study ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="109"/>
        <source>This takes a moment. Please keep this window open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="129"/>
        <source>No sound output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="130"/>
        <source>The study needs a sound output, and this computer has none that works now.

1. Plug in your headphones (or switch them on and connect them, if they are wireless).
2. Check the computer&apos;s sound settings: an output is chosen and not muted.
3. Press Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="141"/>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="142"/>
        <source>Retry (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="145"/>
        <source>What the computer reported: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/start.py" line="153"/>
        <source>Looking for sound outputs…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudyPage</name>
    <message>
        <location filename="../console/study_page.py" line="43"/>
        <source>Built-in item bank (no dataset chosen)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="45"/>
        <source>&amp;Choose dataset folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="47"/>
        <source>Use &amp;built-in bank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="56"/>
        <location filename="../console/study_page.py" line="263"/>
        <source>Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="70"/>
        <source>Variants (one block each, in this order)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="81"/>
        <source>all items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="83"/>
        <location filename="../console/study_page.py" line="84"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="99"/>
        <source>hard maximum {m:g} dB SPL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="103"/>
        <source>means</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="107"/>
        <source>Study and protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="111"/>
        <source>Study &amp;name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="112"/>
        <source>&amp;Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="113"/>
        <source>Items per sub-category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="114"/>
        <source>Practice trials per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="115"/>
        <source>Catch trial every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="116"/>
        <source>Break every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="117"/>
        <source>Maximum replays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="118"/>
        <source>Runs of one item at least … apart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="119"/>
        <source>&amp;Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="120"/>
        <source>Digital reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="130"/>
        <source>&amp;Open or create study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="185"/>
        <source>Add the binaural localization check (left/right/front/back)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="188"/>
        <source>A third headphone check after the antiphase and Huggins checks, rendered through the HRTF of the built-in bank&apos;s setting; this station&apos;s sessions run it (docs/hrtf.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="194"/>
        <source>HRTF: MIT KEMAR (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="195"/>
        <source>HRTF: a SOFA file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="196"/>
        <source>Spherical head (no pinna)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="206"/>
        <source>Built-in bank&apos;s spatial items:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="215"/>
        <source>HRTF (SOFA file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="216"/>
        <source>SOFA files (*.sofa)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="222"/>
        <source>{path}: no such file; the renderer is unchanged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="231"/>
        <source>The localization check needs the HRTF file {path}, which is missing: choose another HRTF first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="239"/>
        <source>spherical-head model (ITD/ILD only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="240"/>
        <source>HRTF {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="241"/>
        <source>HRTF MIT KEMAR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="242"/>
        <source>{what}; used the next time the built-in bank is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="253"/>
        <source>STAR-Bench folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="264"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="265"/>
        <source>Validating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="265"/>
        <source>Preparing the built-in bank…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="340"/>
        <source>set for the study: the dataset declares none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="342"/>
        <source>declared by the dataset in every item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="343"/>
        <source>the dataset&apos;s items declare {dbfs:g} dBFS = {spl:g} dB SPL and are played by it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="379"/>
        <source>Study {name!r} is open (created {at}): the form shows its stored protocol, in force for all its sessions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="381"/>
        <source>Stored values outside this form&apos;s range (in force all the same): {fields}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="394"/>
        <source>Load a dataset to see the plan size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="406"/>
        <source>Each participant: {test} test, {practice} practice and {catch} catch trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="408"/>
        <source>The whole study: {test} test units, each answered {k} times, every participant a share (Design and session length); with {practice} practice trials each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="412"/>
        <source>; then {adaptive}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="416"/>
        <source>Less practice than asked for {variants}: every item of the family is tested (choose fewer items per sub-category to leave some for practice; hover for the numbers).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="441"/>
        <source>Created study {name!r} with this protocol.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="425"/>
        <location filename="../console/study_page.py" line="435"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="350"/>
        <source>digital reference being read from the dataset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="352"/>
        <source>digital reference known once a dataset is loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="353"/>
        <source>digital reference {dbfs:g} dBFS = {spl:g} dB SPL ({source})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="359"/>
        <source>In force: {reference}; clips up to {clip:g} s; safety ceiling {ceiling:g} dB SPL (Audio page; hard maximum {hard:g} dB SPL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="425"/>
        <source>Load a dataset and give the study a name first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="444"/>
        <source>Study {name!r} exists: its stored protocol stays in force and the form now shows it; the values you changed were not applied (give a new study name to use them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/study_page.py" line="447"/>
        <source>Opened study {name!r} (created {at}); its protocol is in force.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TakeHome</name>
    <message>
        <location filename="../app.py" line="254"/>
        <source>No sound output was found on this computer. Plug in your headphones, check the computer&apos;s sound output, then open the study package again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TakeHomeFlow</name>
    <message>
        <location filename="../takehome/flow.py" line="81"/>
        <source>STAR Listening Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="176"/>
        <source>This output cannot be used: {why}. Choose another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="207"/>
        <source>left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="207"/>
        <source>right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="211"/>
        <source>The test sound cannot be played: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="239"/>
        <source>Sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="241"/>
        <source>Sound level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="242"/>
        <source>Play the sound and set your computer&apos;s volume so that it is clearly audible and comfortable, never loud. Then keep the volume as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="244"/>
        <source>It is comfortable now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="244"/>
        <source>I cannot make it comfortable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="266"/>
        <source>Please contact the lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="267"/>
        <source>The sound needs adjusting before you continue. Your session is saved and continues here next time you open the study package.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="269"/>
        <source>Close (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="316"/>
        <source>Pause and close? Open the study package again to continue where you stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="317"/>
        <source>Leave the study now? Nothing has been recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="318"/>
        <source>Leave</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TakeHomeParticipantWindow</name>
    <message>
        <location filename="../takehome/flow.py" line="50"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/flow.py" line="51"/>
        <source>The questions start now. Take your time; there is no time limit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskStrip</name>
    <message>
        <location filename="../common/widgets.py" line="36"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrialScreen</name>
    <message>
        <location filename="../participant/trial_screen.py" line="42"/>
        <source>▶  Play (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="50"/>
        <source>Confirm (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="119"/>
        <source>▶ {label}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="125"/>
        <source>Preparing the sound…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="144"/>
        <source>Press Play to listen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="179"/>
        <source>all clips</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="180"/>
        <source>♪  Playing {what}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="198"/>
        <source>Choose your answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="199"/>
        <source>Play all clips once before answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant/trial_screen.py" line="207"/>
        <source>Replays left: {n}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomeScreen</name>
    <message>
        <location filename="../takehome/screens.py" line="83"/>
        <location filename="../takehome/screens.py" line="86"/>
        <source>Welcome back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="84"/>
        <source>You have answered every question. Continue to write your results file again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="87"/>
        <source>You continue where you stopped: {n} questions are left, about {low} to {high} minutes. First we check the sound again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="90"/>
        <source>Welcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="91"/>
        <source>Thank you for taking part in the listening study “{study}”.

It takes about {low} to {high} minutes: {n} short questions about sounds. You need headphones and a quiet room. You can pause at any time with Esc and continue later by opening the study package again.

First you read about the study and decide whether to take part. Nothing is recorded before you agree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="100"/>
        <source>Leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../takehome/screens.py" line="101"/>
        <source>Start (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../console/export_folder.py" line="81"/>
        <location filename="../console/export_folder.py" line="83"/>
        <location filename="../console/export_folder.py" line="94"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/export_folder.py" line="81"/>
        <source>{path} is a file, not a folder: choose a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/export_folder.py" line="84"/>
        <source>The folder {path} does not exist yet. Create it and export into it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/export_folder.py" line="94"/>
        <source>Cannot create the folder {path}: {why}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/export_folder.py" line="107"/>
        <source>Exported {what} into {out}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>self.console</name>
    <message>
        <location filename="../app.py" line="195"/>
        <source>Resume session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="196"/>
        <source>The session of {code} in study {study!r} was interrupted after {n} answers. Resume it at the same trial?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>self.page</name>
    <message>
        <location filename="../console/takeover.py" line="34"/>
        <source>Session {id} is running on station {station}: it cannot be taken over while its window is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="37"/>
        <source>Session {id} was not interrupted on another station: nothing to take over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="40"/>
        <source>Take over session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="41"/>
        <source>Session {id} was interrupted on station {station}. Take it over and continue it on this station ({here})? Station {station} cannot store answers for it afterwards.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="61"/>
        <source>Not taken over: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="68"/>
        <source>Not taken over: {why}. On a lab server, take a session over from a console started with the experimenter&apos;s login (docs/lab-server.md).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console/takeover.py" line="71"/>
        <source>Session {id} taken over from station {station}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
