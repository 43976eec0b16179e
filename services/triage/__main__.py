from services.triage.config import TriageSettings
from services.triage.main import create_app
from shared.serve import main

main("triage", TriageSettings, create_app)
