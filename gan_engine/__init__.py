"""Pure-PyTorch GAN engine: data, augmentation, networks, training, metrics and sampling.

It never imports Django, so it runs on its own (`python -m gan_engine`) and inside the portal's
Celery workers alike.
"""
