<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AudioPage</name>
    <message>
        <location filename="../pages/audio_page.py" line="30"/>
        <location filename="../pages/audio_page.py" line="111"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="37"/>
        <source>A new device takes effect when the app restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="46"/>
        <source>left ear → output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="48"/>
        <source>right ear → output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="51"/>
        <source>headphone model, e.g. Sennheiser HD 650</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="53"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="54"/>
        <source>Channel map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="55"/>
        <source>Transducer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="56"/>
        <source>Sample rate: {rate} Hz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="58"/>
        <source>Safety</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="65"/>
        <source>Attenuate stimuli over the ceiling (otherwise refuse them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="68"/>
        <source>Ceiling (hard maximum {m:g})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="74"/>
        <source>Calibration wizard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="77"/>
        <source>1. Fix the amplifier volume.  2. Put the headphone on the coupler or artificial ear.
3. Play the 1 kHz reference tone on one output.  4. Read the sound level meter (flat/Z, slow).
5. Enter the reading and save.  6. Repeat for the other ear.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="82"/>
        <source>left ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="82"/>
        <source>right ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="92"/>
        <source>sound level meter and coupler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="94"/>
        <source>initials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="97"/>
        <source>Play &amp;reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="99"/>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="101"/>
        <source>&amp;Save calibration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="112"/>
        <source>Reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="113"/>
        <source>Measured level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="114"/>
        <source>Equipment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="115"/>
        <source>Measured by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="116"/>
        <source>RETSPL table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="120"/>
        <source>Test tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="126"/>
        <source>Play test &amp;tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="135"/>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="137"/>
        <source>Meter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="174"/>
        <source>Calibrated: full-scale sine = {l:.1f} / {r:.1f} dB SPL (left / right).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="180"/>
        <source>UNCALIBRATED: stimuli play at a conservative default level and every response is flagged uncalibrated. Calibrate both ears for levels in dB SPL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="209"/>
        <source>{label}: {level}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="211"/>
        <source>uncalibrated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="213"/>
        <source>, attenuated by {db:.1f} dB by the ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="220"/>
        <source>Name the transducer (headphone model) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="230"/>
        <source>Saved: output {ch}, {spl:.1f} dB SPL at {ref:.1f} dBFS.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message>
        <location filename="../console.py" line="22"/>
        <source>STAR Listening Lab — experimenter console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="30"/>
        <source>No audio output is available on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="34"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="34"/>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="35"/>
        <source>Participants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="36"/>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="37"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="51"/>
        <source>Database: {db}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="60"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../console.py" line="60"/>
        <source>No audio output: sessions cannot run here.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageScreen</name>
    <message>
        <location filename="../participant.py" line="255"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="287"/>
        <source>Break: {m}:{s:02d}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParticipantWindow</name>
    <message>
        <location filename="../participant.py" line="306"/>
        <source>STAR Listening Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="371"/>
        <source>Experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="372"/>
        <source>PIN to leave the session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="407"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="428"/>
        <source>Time for a break</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="428"/>
        <source>Rest your ears for a moment. Continue when you are ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="434"/>
        <source>Part {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="442"/>
        <source>Item {id} is not in the loaded dataset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="446"/>
        <source>First you hear the whole uncut recording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="449"/>
        <source>Practice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="449"/>
        <source>Question {n} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="461"/>
        <source>Not saved yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="461"/>
        <source>Please call the experimenter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="462"/>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="468"/>
        <source>Correct!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="468"/>
        <source>Not quite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="469"/>
        <source>The answer was: {answer}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="489"/>
        <location filename="../participant.py" line="497"/>
        <location filename="../participant.py" line="564"/>
        <source>Please call the experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="490"/>
        <source>This sound cannot be played:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="490"/>
        <location filename="../participant.py" line="499"/>
        <location filename="../participant.py" line="505"/>
        <location filename="../participant.py" line="566"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="498"/>
        <source>The sound output stopped working. Your answers so far are saved; the session will continue at this question.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="504"/>
        <source>Thank you!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="504"/>
        <source>You have finished. Thank you for taking part.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="509"/>
        <source>Headphone check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="510"/>
        <source>Put on your headphones. You will hear three sounds each time and pick one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="529"/>
        <source>Sound {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="535"/>
        <source>Headphone check {i} of {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="550"/>
        <source>Sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="551"/>
        <source>Comfortable and clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="551"/>
        <source>Too loud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="551"/>
        <source>Too quiet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="559"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="559"/>
        <source>The questions start now. Take your time; there is no time limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="565"/>
        <source>The experimenter will adjust the sound before you continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="568"/>
        <source>Sound level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="568"/>
        <source>How does this sound?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParticipantsPage</name>
    <message>
        <location filename="../pages/participants_page.py" line="33"/>
        <source>The participant has given informed consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="35"/>
        <source>&amp;Add participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="39"/>
        <source>New participant (a code only: never a name or e-mail)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="41"/>
        <source>&amp;Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="42"/>
        <location filename="../pages/participants_page.py" line="48"/>
        <source>Age band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="43"/>
        <source>Hearing (self-report)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="48"/>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="48"/>
        <source>Hearing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="49"/>
        <source>Consent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="73"/>
        <source>Use a code such as P007 (no spaces, no e-mail).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="76"/>
        <source>Confirm consent first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="80"/>
        <source>{code} exists already.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/participants_page.py" line="85"/>
        <source>{code} added.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../pages/results_page.py" line="35"/>
        <source>Model results folder (the kit&apos;s work_dir), optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="36"/>
        <source>Import &amp;models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="38"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="40"/>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="59"/>
        <source>Participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="59"/>
        <source>Answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="76"/>
        <source>Model results (work_dir)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="89"/>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="104"/>
        <source>Chance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="105"/>
        <source>Overall MA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="120"/>
        <source>{n} answered test trials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="123"/>
        <source>Export into folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="129"/>
        <source>Exported {n} responses into {out}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="130"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="131"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/results_page.py" line="132"/>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionsPage</name>
    <message>
        <location filename="../pages/sessions_page.py" line="28"/>
        <source>&amp;Start or resume session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="31"/>
        <source>A&amp;bort selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="36"/>
        <source>Participant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="42"/>
        <location filename="../pages/sessions_page.py" line="81"/>
        <location filename="../pages/sessions_page.py" line="84"/>
        <location filename="../pages/sessions_page.py" line="90"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="42"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="42"/>
        <source>Participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="43"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="43"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="43"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="44"/>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="81"/>
        <source>Open a study on the Study page first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="84"/>
        <source>Add a participant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="93"/>
        <source>{code} has completed this study.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="103"/>
        <source>Abort session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="104"/>
        <source>Abort session {id}? Its answers stay stored.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudyPage</name>
    <message>
        <location filename="../pages/study_page.py" line="34"/>
        <source>Built-in item bank (no dataset chosen)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="36"/>
        <source>&amp;Choose dataset folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="38"/>
        <source>Use &amp;built-in bank</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="45"/>
        <location filename="../pages/study_page.py" line="124"/>
        <source>Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="56"/>
        <source>Variants (one block each, in this order)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="67"/>
        <source>all items</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="69"/>
        <location filename="../pages/study_page.py" line="70"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="74"/>
        <source>Study and protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="76"/>
        <source>Study &amp;name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="77"/>
        <source>&amp;Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="78"/>
        <source>Items per sub-category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="79"/>
        <source>Practice trials per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="80"/>
        <source>Catch trial every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="81"/>
        <source>Break every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="82"/>
        <source>Maximum replays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="83"/>
        <source>Runs of one item at least … apart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="84"/>
        <source>&amp;Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="88"/>
        <source>&amp;Open or create study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="115"/>
        <source>STAR-Bench folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="125"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="126"/>
        <source>Validating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="126"/>
        <source>Preparing the built-in bank…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="149"/>
        <source>Load a dataset to see the plan size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="157"/>
        <source>Each participant: {test} test, {practice} practice and {catch} catch trials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="164"/>
        <location filename="../pages/study_page.py" line="172"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="164"/>
        <source>Load a dataset and give the study a name first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="175"/>
        <source>Study {name!r} exists: its stored protocol stays in force.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TaskStrip</name>
    <message>
        <location filename="../widgets.py" line="21"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrialScreen</name>
    <message>
        <location filename="../participant.py" line="81"/>
        <source>▶  Play (Space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="89"/>
        <source>Confirm (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="150"/>
        <source>▶ {label}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="156"/>
        <source>Preparing the sound…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="169"/>
        <source>Press Play to listen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="191"/>
        <source>all clips</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="192"/>
        <source>♪  Playing {what}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="204"/>
        <source>Choose your answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="205"/>
        <source>Play all clips once before answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="213"/>
        <source>Replays left: {n}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>self.console</name>
    <message>
        <location filename="../app.py" line="91"/>
        <source>Resume session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="92"/>
        <source>The session of {code} in study {study!r} was interrupted after {n} answers. Resume it at the same trial?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
