# Outpost agent installer for Windows (docs/AGENT-INSTALL.md, "One-line install"), served by the
# relay at /v1/agent/install.ps1. It downloads the agent from the relay, checks the archive's
# SHA-256 against the one the relay sends with it, writes the agent config with a one-time
# enrollment token, and installs the agent as a service (WinSW). From PowerShell as Administrator:
#
#   & ([scriptblock]::Create((Invoke-RestMethod 'https://relay.example.com/v1/agent/install.ps1'))) `
#     -Relay 'https://relay.example.com' -Token 'opt_...' [-RootFingerprint 'SHA256:...'] [-DeviceId 'ID']
#
# The relay prints this line with each token (outpost-relay enroll-token create).
param(
  [Parameter(Mandatory = $true)] [string] $Relay,
  [Parameter(Mandatory = $true)] [string] $Token,
  [string] $RootFingerprint = "",
  [string] $DeviceId = "",
  [string] $InstallDir = "$env:ProgramFiles\Outpost",
  [string] $Config = "$env:ProgramData\Outpost\agent.toml",
  [string] $Data = "$env:ProgramData\Outpost\data",
  # WinSW-x64.exe to run the service with; without it, the one already installed, else it is
  # downloaded from WinSW's GitHub releases.
  [string] $WinSW = "",
  [switch] $NoService
)

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue" # Windows PowerShell's progress bar slows downloads tenfold

function Say([string] $Message) { Write-Host "outpost-agent install: $Message" }
function Fail([string] $Message) { throw "outpost-agent install: $Message" }

# Everything that goes into the config file is checked first: no quote or new line reaches the TOML.
$Relay = $Relay.TrimEnd("/")
if ($Relay -notmatch '^https?://[A-Za-z0-9.:\[\]_-]+$') {
  Fail "-Relay: expected the relay's http:// or https:// address without a path, received '$Relay'"
}
if ($Token -notmatch '^[A-Za-z0-9_-]+$') { Fail "-Token: expected a token such as opt_..." }
if ($RootFingerprint -ne "" -and $RootFingerprint -notmatch '^SHA256:[A-Za-z0-9_-]{43}$') {
  Fail "-RootFingerprint: expected SHA256:... (43 characters of base64url)"
}
if ($DeviceId -ne "" -and $DeviceId -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$') {
  Fail "-DeviceId: expected 1-64 of [A-Za-z0-9._-], starting with a letter or digit"
}
foreach ($path in @($InstallDir, $Config, $Data)) {
  if (-not [IO.Path]::IsPathRooted($path)) { Fail "expected an absolute path, received '$path'" }
  if ($path -match "[`'`"`r`n]") { Fail "a path may not hold a quote or a new line: '$path'" }
}
if (-not $NoService) {
  $identity = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
  if (-not $identity.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Fail "installing the service needs an Administrator PowerShell (or pass -NoService)"
  }
}

$node = Get-Command node -ErrorAction SilentlyContinue
if ($null -eq $node) { Fail "Node.js 20 or later is needed, installed for all users (see docs/AGENT-INSTALL.md)" }
$nodeMajor = [int](& $node.Source -p "process.versions.node.split('.')[0]")
if ($nodeMajor -lt 20) { Fail "Node.js 20 or later is needed; this is $(& $node.Source --version)" }

$work = Join-Path ([IO.Path]::GetTempPath()) ("outpost-agent-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $work | Out-Null
try {
  Say "downloading the agent from $Relay"
  $archive = Join-Path $work "outpost-agent.tar.gz"
  $response = Invoke-WebRequest -Uri "$Relay/v1/agent/bundle" -OutFile $archive -PassThru -UseBasicParsing
  $expected = ""
  foreach ($name in $response.Headers.Keys) {
    if ($name -ieq "x-outpost-sha256") { $expected = [string]($response.Headers[$name] | Select-Object -First 1) }
  }
  $expected = $expected.Trim().ToLowerInvariant()
  if ($expected -notmatch '^[0-9a-f]{64}$') {
    Fail "the relay sent the agent without its SHA-256 (x-outpost-sha256); is $Relay an Outpost relay?"
  }
  $actual = (Get-FileHash -Algorithm SHA256 -Path $archive).Hash.ToLowerInvariant()
  if ($actual -ne $expected) {
    Fail "the download is damaged: its SHA-256 is $actual, the relay said $expected; nothing was installed"
  }

  $unpacked = Join-Path $work "unpacked"
  New-Item -ItemType Directory -Path $unpacked | Out-Null
  & "$env:SystemRoot\System32\tar.exe" -xzf $archive -C $unpacked
  if ($LASTEXITCODE -ne 0) { Fail "cannot unpack the agent archive (tar.exe exited $LASTEXITCODE)" }
  foreach ($file in @("outpost-agent.mjs", "automerge_wasm_bg.wasm")) {
    if (-not (Test-Path (Join-Path $unpacked $file))) { Fail "the agent archive has no $file" }
  }
  New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
  foreach ($file in @("automerge_wasm_bg.wasm", "outpost-agent.mjs")) {
    Copy-Item -Force (Join-Path $unpacked $file) (Join-Path $InstallDir $file)
  }
  Say "installed the agent in $InstallDir"
} finally {
  Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Config) | Out-Null
if (Test-Path $Config) {
  Copy-Item -Force $Config "$Config.previous"
  Say "kept the previous config as $Config.previous"
}
# TOML literal strings ('...'): a Windows path's backslashes stay as they are.
$lines = @(
  "# Written by the Outpost install script from $Relay on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')).",
  "# Once the agent has enrolled, its device token is in the data folder and the",
  "# enrollment_token line does nothing more.",
  "relay_url = '$Relay'",
  "enrollment_token = '$Token'"
)
if ($RootFingerprint -ne "") { $lines += "root_key_fingerprint = '$RootFingerprint'" }
if ($DeviceId -ne "") { $lines += "device_id = '$DeviceId'" }
$lines += "data = '$Data'"
# UTF-8 without a byte order mark: Windows PowerShell's own UTF8 encoding writes one.
[IO.File]::WriteAllText($Config, (($lines -join "`n") + "`n"), (New-Object Text.UTF8Encoding $false))
# The config holds the token: only SYSTEM and Administrators may read it (by SID, in any language).
& icacls.exe $Config /inheritance:r /grant:r "*S-1-5-18:F" "*S-1-5-32-544:F" | Out-Null
$agent = Join-Path $InstallDir "outpost-agent.mjs"
& $node.Source $agent config check $Config | Out-Null
if ($LASTEXITCODE -ne 0) { Fail "the agent refused the config it was given ($Config)" }
Say "wrote $Config"
if ($RootFingerprint -ne "") {
  Say "the agent pins the fleet's root key ${RootFingerprint}: it must be the one your admin gave you"
}

if ($NoService) {
  Say "no service installed (-NoService); run the agent with: node `"$agent`" run --config `"$Config`""
  return
}
$wrapper = Join-Path $InstallDir "outpost-agent-service.exe"
if ($WinSW -ne "") {
  Copy-Item -Force $WinSW $wrapper
} elseif (-not (Test-Path $wrapper)) {
  $winswUrl = "https://github.com/winsw/winsw/releases/download/v2.12.0/WinSW-x64.exe"
  Say "downloading WinSW, which runs the agent as a service, from $winswUrl"
  Invoke-WebRequest -Uri $winswUrl -OutFile $wrapper -UseBasicParsing
  Say "WinSW's SHA-256: $((Get-FileHash -Algorithm SHA256 -Path $wrapper).Hash.ToLowerInvariant())"
}
Push-Location $InstallDir
try {
  & $node.Source $agent service install --config $Config
  if ($LASTEXITCODE -ne 0) { Fail "service install failed (exit $LASTEXITCODE)" }
} finally {
  Pop-Location
}
Say "done: the agent enrolls with $Relay on its first start"
