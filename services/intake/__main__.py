from services.intake.config import IntakeSettings
from services.intake.main import create_app
from shared.serve import main

main("intake", IntakeSettings, create_app)
