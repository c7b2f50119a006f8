<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AudioPage</name>
    <message>
        <location filename="../pages/audio_page.py" line="30"/>
        <location filename="../pages/audio_page.py" line="116"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="37"/>
        <source>A new device or channel map takes effect when the app restarts.</source>
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
        <location filename="../pages/audio_page.py" line="60"/>
        <source>Sample rate: {rate} Hz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="63"/>
        <source>Safety</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="70"/>
        <source>Attenuate stimuli over the ceiling (otherwise refuse them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="73"/>
        <source>Ceiling (hard maximum {m:g})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="79"/>
        <source>Calibration wizard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="82"/>
        <source>1. Fix the amplifier volume.  2. Put the headphone on the coupler or artificial ear.
3. Play the 1 kHz reference tone on one output.  4. Read the sound level meter (flat/Z, slow).
5. Enter the reading and save.  6. Repeat for the other ear.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="87"/>
        <source>left ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="87"/>
        <source>right ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="97"/>
        <source>sound level meter and coupler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="99"/>
        <source>initials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="102"/>
        <source>Play &amp;reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="104"/>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="106"/>
        <source>&amp;Save calibration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="117"/>
        <source>Reference tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="118"/>
        <source>Measured level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="119"/>
        <source>Equipment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="120"/>
        <source>Measured by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="121"/>
        <source>RETSPL table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="125"/>
        <source>Test tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="131"/>
        <source>Play test &amp;tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="140"/>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="142"/>
        <source>Meter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="170"/>
        <source>Left and right need different outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="173"/>
        <source>{name} has only {n} outputs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="179"/>
        <source>Saved: {name}, outputs {l} and {r}; restart the app to use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="189"/>
        <source>Calibrated: full-scale sine = {l:.1f} / {r:.1f} dB SPL (left / right).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="195"/>
        <source>UNCALIBRATED: stimuli play at a conservative default level and every response is flagged uncalibrated. Calibrate both ears for levels in dB SPL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="224"/>
        <source>{label}: {level}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="226"/>
        <source>uncalibrated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="228"/>
        <source>, attenuated by {db:.1f} dB by the ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="235"/>
        <source>Name the transducer (headphone model) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/audio_page.py" line="245"/>
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
        <location filename="../participant.py" line="290"/>
        <source>Break: {m}:{s:02d}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParticipantWindow</name>
    <message>
        <location filename="../participant.py" line="316"/>
        <source>STAR Listening Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="380"/>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="381"/>
        <source>Pause and close? Open the study package again to continue where you stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="391"/>
        <source>Experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="392"/>
        <source>PIN to leave the session:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="427"/>
        <source>Continue (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="448"/>
        <source>Time for a break</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="448"/>
        <source>Rest your ears for a moment. Continue when you are ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="454"/>
        <source>Part {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="462"/>
        <source>Item {id} is not in the loaded dataset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="466"/>
        <source>First you hear the whole uncut recording.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="469"/>
        <source>Practice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="469"/>
        <source>Question {n} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="481"/>
        <source>Not saved yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="481"/>
        <source>Please call the experimenter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="482"/>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="488"/>
        <source>Correct!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="488"/>
        <source>Not quite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="489"/>
        <source>The answer was: {answer}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="509"/>
        <location filename="../participant.py" line="517"/>
        <location filename="../participant.py" line="601"/>
        <source>Please call the experimenter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="510"/>
        <source>This sound cannot be played:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="510"/>
        <location filename="../participant.py" line="519"/>
        <location filename="../participant.py" line="531"/>
        <location filename="../participant.py" line="604"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="518"/>
        <source>The sound output stopped working. Your answers so far are saved; the session will continue at this question.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="529"/>
        <source>The results could not be written: {err}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="530"/>
        <source>Thank you!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="530"/>
        <source>You have finished. Thank you for taking part.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="535"/>
        <source>Headphone check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="536"/>
        <source>Put on your headphones. You will hear three sounds each time and pick one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="555"/>
        <source>Sound {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="561"/>
        <source>Headphone check {i} of {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="576"/>
        <source>Sound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="578"/>
        <source>Play the sound and set your computer&apos;s volume so that it is clearly audible and comfortable, never loud. Then keep the volume as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="580"/>
        <source>It is comfortable now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="580"/>
        <source>I cannot make it comfortable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="585"/>
        <source>Comfortable and clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="585"/>
        <source>Too loud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="585"/>
        <source>Too quiet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="596"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="596"/>
        <source>The questions start now. Take your time; there is no time limit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="602"/>
        <source>Please contact the lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="603"/>
        <source>The sound needs adjusting before you continue. Your session is saved and continues here next time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="606"/>
        <source>Sound level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../participant.py" line="584"/>
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
        <location filename="../pages/sessions_page.py" line="29"/>
        <source>&amp;Start or resume session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="32"/>
        <source>A&amp;bort selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="34"/>
        <source>Take-home &amp;package…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="35"/>
        <source>Write a study package for this participant to run at home</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="37"/>
        <source>&amp;Import results…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="42"/>
        <source>Participant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="50"/>
        <location filename="../pages/sessions_page.py" line="89"/>
        <location filename="../pages/sessions_page.py" line="92"/>
        <location filename="../pages/sessions_page.py" line="98"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="50"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="50"/>
        <source>Participant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="51"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="51"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="51"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="52"/>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="89"/>
        <source>Open a study on the Study page first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="92"/>
        <source>Add a participant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="101"/>
        <source>{code} has completed this study.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="111"/>
        <source>Abort session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="112"/>
        <source>Abort session {id}? Its answers stay stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="122"/>
        <location filename="../pages/sessions_page.py" line="131"/>
        <source>Package</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="122"/>
        <source>Open a study and choose a participant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="124"/>
        <source>Write the package into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="133"/>
        <source>Package written: {path}. The participant opens it with the installed app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="140"/>
        <source>Results bundles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="145"/>
        <source>{status}: {code} ({n} responses)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/sessions_page.py" line="148"/>
        <source>refused: {err}</source>
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
        <location filename="../pages/study_page.py" line="137"/>
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
        <location filename="../pages/study_page.py" line="84"/>
        <source>means</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="86"/>
        <source>Study and protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="88"/>
        <source>Study &amp;name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="89"/>
        <source>&amp;Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="90"/>
        <source>Items per sub-category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="91"/>
        <source>Practice trials per block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="92"/>
        <source>Catch trial every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="93"/>
        <source>Break every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="94"/>
        <source>Maximum replays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="95"/>
        <source>Runs of one item at least … apart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="96"/>
        <source>&amp;Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="97"/>
        <source>Digital reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="101"/>
        <source>&amp;Open or create study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="128"/>
        <source>STAR-Bench folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="138"/>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="139"/>
        <source>Validating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="139"/>
        <source>Preparing the built-in bank…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="163"/>
        <source>Load a dataset to see the plan size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="171"/>
        <source>Each participant: {test} test, {practice} practice and {catch} catch trials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="178"/>
        <location filename="../pages/study_page.py" line="186"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="178"/>
        <source>Load a dataset and give the study a name first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../pages/study_page.py" line="189"/>
        <source>Study {name!r} exists: its stored protocol stays in force.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TakeHome</name>
    <message>
        <location filename="../app.py" line="129"/>
        <source>No sound output was found on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="141"/>
        <source>Please send this file to the lab:
{path}</source>
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
