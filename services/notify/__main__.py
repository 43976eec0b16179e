from services.notify.config import NotifySettings
from services.notify.main import create_app
from shared.serve import main

main("notify", NotifySettings, create_app)
